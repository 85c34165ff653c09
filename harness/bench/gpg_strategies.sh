#!/usr/bin/env bash
# The gpg workload's figures (issue 5), measured in one run on this machine (not a test):
#  1. decryptions per second for each strategy at 4k, 64k and 1m (heavy-only phase), next to
#     a shell loop of `gpg --decrypt` of the same payload to the same kind of key (gpg-bench,
#     run in the same script), and the ratio;
#  2. /hi p99 under gpg heavy load, per strategy;
#  3. decryptions per second with --gpg-home shared vs per-worker at 4k, thread and process;
#  4. the share of a job spent spawning gpg (gpg-bench's spawn probe).
# Usage: harness/bench/gpg_strategies.sh [BUILD_DIR]   (env: PHASE seconds, default 5)
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

build=${1:-build}
bench="$build/bin/offload-bench"
gpgbench="$build/workloads/gpg-bench"
phase=${PHASE:-5}
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
"$bench" "${common[@]}" --label sizes --payload 4k,64k,1m --strategies inline,thread,process >/dev/null
"$bench" "${common[@]}" --label shared --payload 4k --strategies thread,process --server-arg=--gpg-home=shared >/dev/null
"$bench" "${common[@]}" --label per-worker --payload 4k --strategies thread,process --server-arg=--gpg-home=per-worker >/dev/null
"$gpgbench" --sizes 4k,64k,1m --seconds 3 --rounds 2 >"$out/gpg-bench.txt"

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
    for s in ("inline", "thread", "process"):
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
PY
