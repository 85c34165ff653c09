#!/usr/bin/env bash
# The remote strategy's figures, measured in one run on this machine (not a test):
#  1. a trivial job's round trip (fib(1), one request at a time): the remote strategy's
#     publish -> reply through a broker, beside a bare NATS request/reply through the same
#     broker (nats-floor, the floor), and GET / over HTTP for remote, the process pool and /hi;
#  2. FIB=30 with 2 local workers: heavy throughput of remote, process and inline (capacity
#     phase), and /hi p99 under that load, remote beside the process pool.
# Usage: harness/bench/remote.sh [BUILD_DIR]   (env: PHASE seconds, default 5; CALLS, default
# 3000 round trips per measurement)
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

build=${1:-build}
bin="$build/bin"
phase=${PHASE:-5}
calls=${CALLS:-3000}
for p in offload-server offload-worker offload-bench nats-floor; do
  [ -x "$bin/$p" ] || { echo "remote: $bin/$p missing (make build)" >&2; exit 1; }
done
broker_program=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$broker_program" ] || { echo "remote: nats-server missing (apt-get install nats-server)" >&2; exit 1; }

out=$(mktemp -d "${TMPDIR:-/tmp}/offload-remote-bench-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$out"
}
trap cleanup EXIT

# wait_for FILE PATTERN: until FILE holds a line matching PATTERN (10 s at most).
wait_for() {
  for _ in $(seq 1000); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "remote: no '$2' in $1" >&2
  cat "$1" >&2
  exit 1
}

# start_server NAME ARGS...: an offload-server on a free port; sets PORT.
start_server() {
  local name=$1
  shift
  "$bin/offload-server" --port 0 "$@" >"$out/$name.out" 2>"$out/$name.err" &
  pids+=($!)
  wait_for "$out/$name.out" '^listening on'
  PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$out/$name.out")
}

stop_last() {
  local pid=${pids[-1]}
  kill -TERM "$pid"
  wait "$pid" || true
  unset 'pids[-1]'
}

# p50 (ms) of CALLS sequential GET PATH, one connection.
p50_of() {
  "$bin/offload-bench" --target "127.0.0.1:$1" --conns 1 --calls "$calls" --path "$2" --quiet |
    awk '$1 == "main" { print $8 }'
}

metric() {
  curl -s "127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}

machine_line
echo "broker, workers, server and load generator share these cores"
echo

# A broker of our own, with a token (its configuration file: a token never on a command line).
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'listen: "127.0.0.1:-1"\nauthorization { token: "%s" }\n' "$token" >"$out/nats.conf"
chmod 600 "$out/nats.conf"
"$broker_program" -c "$out/nats.conf" --ports_file_dir "$out" -l "$out/nats.log" &
broker_pid=$!
pids+=("$broker_pid")
wait_for "$out/nats-server_$broker_pid.ports" 'nats://'
url=$(sed -n 's/.*"\(nats:\/\/[^"]*\)".*/\1/p' "$out/nats-server_$broker_pid.ports")
export NATS_TOKEN=$token

echo "== 1. a trivial job's round trip (fib(1), one at a time, $calls calls)"
floor=$("$bin/nats-floor" --nats "$url" --requests "$calls")
echo "floor: $floor"
"$bin/offload-worker" --nats "$url" --id bench-worker >"$out/worker.out" 2>"$out/worker.err" &
pids+=($!)
wait_for "$out/worker.out" ' ready: '
start_server remote --strategy remote --nats "$url" --fib 1
remote_http=$(p50_of "$PORT" "/?n=1")
remote_hi=$(p50_of "$PORT" /hi)
rt_sum=$(metric "$PORT" offload_remote_round_trip_seconds_sum)
rt_count=$(metric "$PORT" offload_remote_round_trip_seconds_count)
stop_last
stop_last  # the worker
start_server process --strategy process --workers 1 --fib 1
process_http=$(p50_of "$PORT" "/?n=1")
stop_last
floor_mean=$(sed -n 's/.*mean_ms=\([0-9.]*\).*/\1/p' <<<"$floor")
floor_p50=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$floor")
awk -v fm="$floor_mean" -v fp="$floor_p50" -v s="$rt_sum" -v c="$rt_count" \
  -v rh="$remote_http" -v hi="$remote_hi" -v ph="$process_http" 'BEGIN {
  rt = s / c * 1000
  printf "  bare NATS request/reply (nats-floor)     mean %.3f ms   p50 %.3f ms\n", fm, fp
  printf "  remote: publish -> reply (server, n=%d)  mean %.3f ms   %.2fx the floor (goal <= 1.5x)\n", c, rt, rt / fm
  printf "  HTTP GET /?n=1 p50: remote %.3f ms, process %.3f ms (remote/process %.2fx), /hi %.3f ms\n", rh, ph, rh / ph, hi
  printf "  remote over HTTP less /hi: %.3f ms = %.2fx the floor p50\n", rh - hi, (rh - hi) / fp
}'
echo

echo "== 2. FIB=30, 2 local workers: heavy throughput and /hi p99 under load (phase ${phase}s)"
run_experiment remote "$out/results" "$bin/offload-bench" experiment --server "$bin/offload-server" \
  --results "$out/results" --label remote --strategies inline,process,remote --fib 30 --workers 2 \
  --load none --repeats 1 --phase "$phase" --idle 1 --quiet
/usr/bin/python3 - "$RUN" <<'PY'
import csv, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "summary.csv"))))
def pick(strategy, phase, stream):
    for r in rows:
        if r["strategy"] == strategy and r["phase"] == phase and r["stream"] == stream:
            return r
    return None
rate = {s: float(pick(s, "heavy-only", "heavy")["rate_rps"]) for s in ("inline", "process", "remote")}
print(f"{'strategy':9} {'heavy req/s':>12} {'x inline':>9} {'/hi p99 ms (loaded)':>20}")
for s in ("inline", "process", "remote"):
    probe = pick(s, "heavy+probe", "probe")
    p99 = probe["p99_ms"] if probe and probe["p99_ms"] else "n/a"
    print(f"{s:9} {rate[s]:12.1f} {rate[s] / rate['inline']:9.2f} {p99:>20}")
print("(goal: remote >= 1.7x inline)")
PY
