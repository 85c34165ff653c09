#!/bin/bash
# How the pools scale with their size, past the cores of a small machine: ONE `offload-bench
# experiment` run measures, at FIB=30 with 2 x cores closed-loop heavy connections and a
# 400 req/s open-loop probe on /hi, the inline server and each pool (thread, process, uvpool)
# at every size in WORKERS. Then harness/bench/pool_scaling.py prints, per pool and size, heavy
# req/s, speed-up over one worker and over inline, efficiency (speed-up / workers), /hi p50
# and p99 under load, and the server tree's peak RSS and CPU; and the machine.
#
#   harness/bench/pool_scaling.sh [BUILD_DIR]             (default: build; ~11 s a configuration)
#   WORKERS=1,2,4,8,14,16 harness/bench/pool_scaling.sh build
#   WORKERS=16 SWEEPS="--sweep worker-policy=normal,idle" harness/bench/pool_scaling.sh build
#   harness/bench/pool_scaling.py results/latest          (the table again, from a kept run)
#
# WORKERS defaults to the powers of two below the core count, cores - 2 and the core count
# (1,2,4,8,14,16 on 16 cores; 1,2 on 2). The load generator is one thread on one of these
# cores, and the loop another: at WORKERS = cores the pool competes with both.
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

BUILD=${1:-build}
CORES=$(nproc)
default_workers() {
  local list="" w=1
  while [ "$w" -lt "$CORES" ]; do list="$list,$w"; w=$((w * 2)); done
  [ "$((CORES - 2))" -gt "$((w / 2))" ] && list="$list,$((CORES - 2))"
  echo "${list#,},$CORES"
}
WORKERS=${WORKERS:-$(default_workers)}
FIB=${FIB:-30}
HEAVY_CONNS=${HEAVY_CONNS:-$((2 * CORES))}
PHASE=${PHASE:-3}      # seconds per loaded phase (probe-only, heavy-only, heavy+probe)
IDLE=${IDLE:-0.5}      # seconds of each idle phase
STRATEGIES=${STRATEGIES:-inline,thread,process,uvpool}
SWEEPS=${SWEEPS:-}
REPEATS=${REPEATS:-1}  # runs of every configuration, interleaved
RESULTS=${RESULTS:-results}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH="$BUILD/bin/offload-bench"
[ -x "$BENCH" ] || { echo "pool_scaling: $BENCH not built (make build)" >&2; exit 1; }

# shellcheck disable=SC2206  # SWEEPS is split into its words on purpose
cmd=("$BENCH" experiment --server "$BUILD/bin/offload-server" --strategies "$STRATEGIES"
     --workers "$WORKERS" --fib "$FIB" --heavy-conns "$HEAVY_CONNS" --probe-rate 400
     --phase "$PHASE" --idle "$IDLE" --calibrate 0.5 --repeats "$REPEATS" --load none $SWEEPS
     --results "$RESULTS"
     --label pool-scaling --quiet)
machine_line
echo "load generator and server share these cores"
run_experiment pool_scaling "$RESULTS" "${cmd[@]}"
"$PYTHON" "$(dirname "$0")/pool_scaling.py" "$RUN"
