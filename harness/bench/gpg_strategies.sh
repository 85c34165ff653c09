#!/usr/bin/env bash
# The gpg workload's figures (issue 5), measured in one run on this machine (not a test):
#  1. decryptions per second for each strategy at 4k, 64k and 1m (heavy-only phase), next to
#     a shell loop of `gpg --decrypt` of the same payload to the same kind of key (gpg-bench,
#     run in the same script), and the ratio;
#  2. /hi p99 under gpg heavy load, per strategy;
#  3. decryptions per second with --gpg-home shared vs per-worker at 4k, thread and process;
#  4. the share of a job spent spawning gpg (gpg-bench's spawn probe);
#  5. async (GPGME on the event loop, no pool): what still blocks its loop per decryption, from
#     its own /metrics (offload_job_loop_seconds) after a few requests of each size.
# Usage: harness/bench/gpg_strategies.sh [BUILD_DIR]   (env: PHASE seconds, default 5;
#        WORKERS, default 2)
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

build=${1:-build}
bench="$build/bin/offload-bench"
gpgbench="$build/workloads/gpg-bench"
phase=${PHASE:-5}
workers=${WORKERS:-2}  # every strategy with workers gets as many (async: in flight)
server="$build/bin/offload-server"
for p in "$bench" "$gpgbench"; do
  [ -x "$p" ] || { echo "gpg_strategies: $p missing (make build)" >&2; exit 1; }
done
out=$(mktemp -d /tmp/offload-gpg-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT

machine_line
echo "load generator, server, gpg and gpg-agent share these cores"
echo

common=(experiment --results "$out" --workload gpg --phase "$phase" --idle 1 --repeats 1 --load none
        --quiet)
"$bench" "${common[@]}" --label sizes --payload 4k,64k,1m --strategies inline,thread,process,async \
  --workers "$workers" >/dev/null
"$bench" "${common[@]}" --label shared --payload 4k --strategies thread,process --server-arg=--gpg-home=shared >/dev/null
"$bench" "${common[@]}" --label per-worker --payload 4k --strategies thread,process --server-arg=--gpg-home=per-worker >/dev/null
"$gpgbench" --sizes 4k,64k,1m --seconds 3 --rounds 2 >"$out/gpg-bench.txt"

# 5. The async server's loop time per decryption, by size: its own histogram's mean.
"$server" --strategy async --workload gpg --workers "$workers" --port 0 --max-payload-bytes 1m \
  >"$out/async.ready" 2>"$out/async.log" &
async_pid=$!
trap 'kill "$async_pid" 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 600); do grep -q "listening on" "$out/async.ready" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$out/async.ready")
[ -n "$port" ] || { echo "gpg_strategies: the async server did not start" >&2; exit 1; }
loop_ms() {  # mean loop time per job so far, and the job count
  curl -s "http://127.0.0.1:$port/metrics" | awk '
    /^offload_job_loop_seconds_sum/ {s=$2} /^offload_job_loop_seconds_count/ {n=$2}
    /^offload_job_gpgme_seconds_sum/ {g=$2}
    END {printf "%s %s %s\n", s+0, n+0, g+0}'
}
: >"$out/async-loop.txt"
for size in 4k 64k 1m; do
  read -r s0 n0 g0 < <(loop_ms)
  for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$port/?bytes=$size"; done
  read -r s1 n1 g1 < <(loop_ms)
  echo "$size $s0 $n0 $g0 $s1 $n1 $g1" >>"$out/async-loop.txt"
done
kill "$async_pid"
wait "$async_pid" 2>/dev/null || true

/usr/bin/python3 - "$out" <<'PY'
import csv, glob, os, re, sys
out = sys.argv[1]

def rows(label):
    [folder] = [d for d in glob.glob(os.path.join(out, "*-" + label)) if os.path.isdir(d)]
    with open(os.path.join(folder, "summary.csv")) as f:
        return list(csv.DictReader(f))

def pick(rs, strategy, size, phase, stream):
    for r in rs:
        if r["strategy"] == strategy and int(r["payload_bytes"] or 0) == size and r["phase"] == phase and r["stream"] == stream:
            return r
    return None

text = open(os.path.join(out, "gpg-bench.txt")).read()
shell = {}
for m in re.finditer(r"^(\d+[km])\s+([\d.]+)\s+[\d.]+ ms \|\s+([\d.]+)", text, re.M):
    shell[m.group(1)] = float(m.group(3))  # shell loop piping gpg's output into sha256sum
sizes = {"4k": 4096, "64k": 65536, "1m": 1 << 20}
sz = rows("sizes")
print("== decryptions per second (heavy-only phase) and /hi p99 under gpg load (heavy+probe)")
print(f"{'strategy':9} {'size':>5} {'dec/s':>8} {'shell dec/s':>12} {'ratio':>6} {'/hi p99 ms':>11}")
for size_name, size in sizes.items():
    for s in ("inline", "thread", "process", "async"):
        heavy = pick(sz, s, size, "heavy-only", "heavy")
        probe = pick(sz, s, size, "heavy+probe", "probe")
        rps = float(heavy["rate_rps"]) if heavy else float("nan")
        base = shell.get(size_name, float("nan"))
        p99 = probe["p99_ms"] if probe and probe["p99_ms"] else "n/a"
        print(f"{s:9} {size_name:>5} {rps:8.1f} {base:12.1f} {rps / base:6.2f} {p99:>11}")
print("(shell: `gpg --decrypt | sha256sum` in a loop, one at a time, from gpg-bench in this run;")
print(" the servers answer with the plaintext's sha256 too)")
print()
print("== 4k: one GnuPG home for all workers vs one each (heavy-only dec/s)")
for s in ("thread", "process"):
    a = pick(rows("shared"), s, 4096, "heavy-only", "heavy")
    b = pick(rows("per-worker"), s, 4096, "heavy-only", "heavy")
    ra, rb = float(a["rate_rps"]), float(b["rate_rps"])
    print(f"  {s:8} shared {ra:7.1f}   per-worker {rb:7.1f}   per-worker/shared {rb / ra:5.2f}x")
print()
print("== gpg-bench (GPGME in one thread vs the shell loop; spawn share)")
print(text.rstrip())
print()
print("== async: time its event loop spends inside GPGME per decryption (set-up, the spawn of")
print("   gpg with its blocking wait for the double fork's middle child, pipe I/O, hashing)")
print(f"{'size':>5} {'loop ms/job':>12} {'GPGME ms/job':>13} {'loop share':>11}")
for line in open(os.path.join(out, "async-loop.txt")):
    size, s0, n0, g0, s1, n1, g1 = line.split()
    n = float(n1) - float(n0)
    loop = (float(s1) - float(s0)) / n * 1e3 if n else float("nan")
    whole = (float(g1) - float(g0)) / n * 1e3 if n else float("nan")
    print(f"{size:>5} {loop:12.2f} {whole:13.2f} {loop / whole:11.0%}")
print("(20 sequential requests per size to one async server; GPGME ms: the whole decryption)")
PY
