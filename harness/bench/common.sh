# shellcheck shell=bash
# Shared by the one-run benchmark scripts of harness/bench (sourced, not run).

# The line each result starts with: the machine it was measured on, and when.
machine_line() {
  echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
    "Linux $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# run_experiment NAME RESULTS COMMAND...: prints the command, runs it (an `offload-bench
# experiment` writing into RESULTS) with its table silenced, exits with its status when it
# fails, and sets RUN to the results folder it wrote.
run_experiment() {
  local name=$1 results=$2 status=0
  shift 2
  echo "command: $*"
  echo
  "$@" >/dev/null || status=$?
  [ "$status" -eq 0 ] || { echo "$name: offload-bench exited $status" >&2; exit "$status"; }
  # shellcheck disable=SC2034  # RUN is read by the caller
  RUN=$(readlink -f "$results/latest")
}
