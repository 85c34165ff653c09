#!/bin/bash
# How far one configuration's tail moves between identical runs on this machine, and what the
# validity checks make of it: ONE `offload-bench experiment` run measures the same thread
# server (FIB=30, --worker-policy idle, 2 workers, 4 closed-loop heavy connections on /, a
# 200 req/s open-loop probe on /hi) REPEATS times, interleaved with nothing but itself.
# harness/bench/noise_study.py then prints, per repeat, /hi's raw p99 under load beside its
# p99 over the windows without a machine stall (p99_clean), the machine's steal, the stall
# sentinel's worst oversleep and the row's warnings; then the spread of raw and clean p99
# over the repeats and how many rows each check flagged.
#
#   harness/bench/noise_study.sh [BUILD_DIR]            (default: build; ~12 s a repeat)
#   REPEATS=20 PHASE=6 harness/bench/noise_study.sh build
#   harness/bench/noise_study.py results/latest         (the table again, from a kept run)
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

BUILD=${1:-build}
FIB=${FIB:-30}
REPEATS=${REPEATS:-10}
PHASE=${PHASE:-6}
RESULTS=${RESULTS:-results}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH="$BUILD/bin/offload-bench"
[ -x "$BENCH" ] || { echo "noise_study: $BENCH not built (make build)" >&2; exit 1; }

cmd=("$BENCH" experiment --server "$BUILD/bin/offload-server" --strategies thread --workers 2
     --fib "$FIB" --server-arg=--worker-policy=idle --heavy-conns 4 --probe-rate 200
     --phase "$PHASE" --idle 0.5 --calibrate 1 --repeats "$REPEATS" --load none
     --results "$RESULTS" --label noise-study --quiet)
machine_line
echo "load generator and server share these cores"
run_experiment noise_study "$RESULTS" "${cmd[@]}"
"$PYTHON" "$(dirname "$0")/noise_study.py" "$RUN"
