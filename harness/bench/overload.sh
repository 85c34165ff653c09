#!/usr/bin/env bash
# Overload figures (issue 6), one run on this machine (not a test): 200 closed-loop connections
# on / with a job of ~50 ms and --max-queue 8, plus a 200/s probe on /hi, per strategy.
# Prints offered vs served, the 503s, peak RSS of the server's process tree, and /hi p99.
# Usage: harness/bench/overload.sh [BUILD_DIR]   (env: PHASE seconds, default 5; FIB, default 35)
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

build=${1:-build}
bench="$build/bin/offload-bench"
[ -x "$bench" ] || { echo "overload: $bench missing (make build)" >&2; exit 1; }
out=$(mktemp -d /tmp/offload-overload-XXXXXX)
trap 'rm -rf "$out"' EXIT

machine_line
"$bench" experiment --results "$out" --label overload --strategies inline,thread,process,uvpool \
  --fib "${FIB:-35}" --heavy-conns 200 --probe-rate 200 --phase "${PHASE:-5}" --idle 1 \
  --server-arg=--max-queue=8 --repeats 1 --load none --quiet >/dev/null

/usr/bin/python3 - "$out" <<'PY'
import csv, glob, os, re, sys
[folder] = glob.glob(os.path.join(sys.argv[1], "*-overload"))
summary = list(csv.DictReader(open(os.path.join(folder, "summary.csv"))))
resources = list(csv.DictReader(open(os.path.join(folder, "resources.csv"))))

def row(strategy, phase, stream):
    return next(r for r in summary if r["strategy"] == strategy and r["phase"] == phase and r["stream"] == stream)

print(f"{'strategy':8} {'job ms':>7} {'answered/s':>10} {'200/s':>8} {'503s':>7} {'other err':>9} {'peak RSS MiB':>12} {'/hi p99 ms':>10} {'/hi errors':>10}")
for s in ("inline", "thread", "process", "uvpool"):
    heavy = row(s, "heavy+probe", "heavy")
    probe = row(s, "heavy+probe", "probe")
    classes = dict(c.split(":") for c in heavy["error_classes"].split(";") if c)
    rejected = int(classes.get("status_503", 0))
    other = int(heavy["errors"]) - rejected
    duration = float(heavy["duration_s"])
    served = int(heavy["count"])
    answered = (served + int(heavy["errors"])) / duration
    rss = {}
    for r in resources:
        if r["strategy"] == s and r["phase"] in ("heavy-only", "heavy+probe") and r["role"] != "machine":
            rss[r["t_s"]] = rss.get(r["t_s"], 0) + int(r["rss_kb"] or 0)
    peak = max(rss.values()) / 1024 if rss else float("nan")
    p99 = probe["p99_ms"] or "n/a"
    print(f"{s:8} {float(heavy['job_cost_ms']):7.2f} {answered:10.0f} {served / duration:8.0f} {rejected:7d} {other:9d} {peak:12.1f} {p99:>10} {probe['errors']:>10}")
print("answered/s: every answer to /, 200 or 503 (closed loop: offered = answered); 503s over the phase")
PY
