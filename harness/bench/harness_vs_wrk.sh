#!/bin/bash
# Peak request rate of offload-bench's load client against wrk's, side by side in one run:
# both drive GET /hi on the same offload-server (thread strategy, loopback, ephemeral port)
# with 50 keep-alive connections from one thread, in alternating rounds so drift of a shared
# machine hits both alike. Prints each round, the best of each and the ratio (target >= 1.0).
#
#   harness/bench/harness_vs_wrk.sh [BUILD_DIR]      (default: build)
#   DURATION=10 ROUNDS=5 harness/bench/harness_vs_wrk.sh build
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

BUILD=${1:-build}
DURATION=${DURATION:-5}  # seconds per run
ROUNDS=${ROUNDS:-3}
CONNS=50
SERVER="$BUILD/bin/offload-server"
BENCH="$BUILD/bin/offload-bench"

for program in "$SERVER" "$BENCH"; do
  [ -x "$program" ] || { echo "harness_vs_wrk: $program not built (make build)" >&2; exit 1; }
done
command -v wrk >/dev/null || {
  echo "harness_vs_wrk: wrk is missing: make deps-bench (or apt-get install -y wrk)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$SERVER" --strategy thread --port 0 --host 127.0.0.1 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=""
for _ in $(seq 100); do  # up to 10 s for the ready line
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/server.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "harness_vs_wrk: the server printed no ready line" >&2; exit 1; }
url="http://127.0.0.1:$port/hi"

# Each run leaves "RATE REQUESTS CPU_SECONDS" in $work/<name>; the CPU time (user + system) is
# bash's `times` for the subshell's one child, so no GNU time is needed.
cpu_of() { awk 'NR == 2 { split($1, u, /m|s/); split($2, s, /m|s/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
run_bench() {
  ( "$BENCH" --target "127.0.0.1:$port" --path /hi --conns $CONNS --duration "$DURATION" --quiet \
      >"$work/bench.out"; times >"$work/bench.times" )
  # The table's row: ... ok errors req/s mean p50 p90 p99 p99.9 max
  echo "$(awk '$1 == "main" { print $(NF - 6), $(NF - 8) }' "$work/bench.out") $(cpu_of <"$work/bench.times")"
}
run_wrk() {
  ( wrk -t1 -c$CONNS -d"${DURATION}s" "$url" >"$work/wrk.out"; times >"$work/wrk.times" )
  echo "$(awk '/^Requests\/sec:/ { r = $2 } / requests in / { n = $1 } END { print r, n }' \
    "$work/wrk.out") $(cpu_of <"$work/wrk.times")"
}

machine_line
echo "server:  $SERVER --strategy thread (pid $server_pid), GET /hi on 127.0.0.1:$port"
echo "load:    $CONNS connections, 1 thread, ${DURATION} s per run, $ROUNDS rounds"
echo "command: $BENCH --target 127.0.0.1:$port --path /hi --conns $CONNS --duration $DURATION"
echo "   vs    wrk -t1 -c$CONNS -d${DURATION}s $url"
echo
best_bench=0
best_wrk=0
ratios=""
cpu_bench=0; n_bench=0; cpu_wrk=0; n_wrk=0
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    read -r b bn bc < <(run_bench); read -r w wn wc < <(run_wrk)
  else
    read -r w wn wc < <(run_wrk); read -r b bn bc < <(run_bench)
  fi
  ratio=$(awk -v a="$b" -v b="$w" 'BEGIN { print a / b }')
  printf "round %d: offload-bench %10.1f req/s   wrk %10.1f req/s   ratio %.3f\n" \
    "$round" "$b" "$w" "$ratio"
  ratios="$ratios $ratio"
  best_bench=$(awk -v a="$b" -v b="$best_bench" 'BEGIN { print (a > b ? a : b) }')
  best_wrk=$(awk -v a="$w" -v b="$best_wrk" 'BEGIN { print (a > b ? a : b) }')
  read -r cpu_bench n_bench < <(awk -v c="$cpu_bench" -v n="$n_bench" -v dc="$bc" -v dn="$bn" \
    'BEGIN { print c + dc, n + dn }')
  read -r cpu_wrk n_wrk < <(awk -v c="$cpu_wrk" -v n="$n_wrk" -v dc="$wc" -v dn="$wn" \
    'BEGIN { print c + dc, n + dn }')
done
echo
printf "best:    offload-bench %10.1f req/s   wrk %10.1f req/s   ratio %.3f (target >= 1.0)\n" \
  "$best_bench" "$best_wrk" "$(awk -v a="$best_bench" -v b="$best_wrk" 'BEGIN { print a / b }')"
# The median of the per-round ratios: each round ran both back to back, so it is the figure
# least moved by a noisy neighbour on a shared machine.
printf "median of the round ratios: %.3f\n" \
  "$(echo "$ratios" | tr ' ' '\n' | sort -g |
    awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')"
# Client CPU per request: what each load generator costs, whoever was the bottleneck.
awk -v cb="$cpu_bench" -v nb="$n_bench" -v cw="$cpu_wrk" -v nw="$n_wrk" 'BEGIN {
  printf "client CPU per request: offload-bench %.2f us, wrk %.2f us (ratio %.3f, lower is cheaper)\n",
    1e6 * cb / nb, 1e6 * cw / nw, (cb / nb) / (cw / nw) }'
