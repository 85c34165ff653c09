#!/bin/bash
# Issue 7's benchmark: which scheduling knobs keep /hi fast while the workers fill every core,
# and what they cost in heavy throughput. ONE `offload-bench experiment` run (so every figure
# comes from the same machine state, configurations interleaved when repeated) measures, at
# FIB=30 with 4 closed-loop heavy connections and a 200 req/s open-loop probe on /hi:
#   - the default configuration of each strategy: inline, thread, process, uvpool;
#   - the pools with worker nice 19, worker policy SCHED_IDLE and the loop pinned to CPU 0
#     (workers then on the other CPUs), and their combinations (a cross product of sweeps).
# Then it prints, per configuration, /hi p99 under load / its own unloaded p99 (target <= 1.5)
# and heavy throughput (heavy+probe phase) / the default inline server's (target >= 1.85),
# the same two ratios for the best configuration and for each strategy's default, and the
# machine. The results folder (CSVs, report.html with the trade-off figure) is kept.
#
#   harness/bench/knobs_tradeoff.sh [BUILD_DIR]          (default: build; ~9 min per repeat)
#   PHASE=5 IDLE=1 REPEATS=2 RESULTS=results harness/bench/knobs_tradeoff.sh build
#   SWEEPS="--sweep worker-policy=normal,idle" REPEATS=4 harness/bench/knobs_tradeoff.sh build
#       (fewer configurations, more interleaved repeats: ~2.3 min per repeat)
#
# "Best": of the configurations that reach the throughput target, the one with the lowest
# p99 ratio; if none reaches it, the one with the highest throughput. With REPEATS > 1 each
# figure is the mean over the repeats (ratios of the means).
set -euo pipefail
# shellcheck source=harness/bench/common.sh
source "$(dirname "$0")/common.sh"

BUILD=${1:-build}
FIB=${FIB:-30}
PHASE=${PHASE:-5}      # seconds per loaded phase (probe-only, heavy-only, heavy+probe)
IDLE=${IDLE:-1}        # seconds of each idle phase
REPEATS=${REPEATS:-1}
# The knob configurations: a cross product of sweeps (each strategy's default is in it).
SWEEPS=${SWEEPS:---sweep worker-nice=0,19 --sweep worker-policy=normal,idle --sweep loop-cpu=none,0}
RESULTS=${RESULTS:-results}
BENCH="$BUILD/bin/offload-bench"
[ -x "$BENCH" ] || { echo "knobs_tradeoff: $BENCH not built (make build)" >&2; exit 1; }
[ -x /usr/bin/python3 ] || { echo "knobs_tradeoff: /usr/bin/python3 missing (make deps)" >&2; exit 1; }

# shellcheck disable=SC2054,SC2206  # a comma list is one argument; SWEEPS is split on purpose
cmd=("$BENCH" experiment --strategies inline,thread,process,uvpool --fib "$FIB"
     --heavy-conns 4 --probe-rate 200 --phase "$PHASE" --idle "$IDLE" --calibrate 1
     --repeats "$REPEATS" --load none $SWEEPS --results "$RESULTS" --label knobs-tradeoff
     --quiet)
machine_line
echo "load generator and server share these cores"
run_experiment knobs_tradeoff "$RESULTS" "${cmd[@]}"
run=$RUN

/usr/bin/python3 - "$run" "$FIB" <<'PYTHON'
import json
import math
import sys

import pandas as pd

run, fib = sys.argv[1], sys.argv[2]
s = pd.read_csv(f"{run}/summary.csv")
meta = json.load(open(f"{run}/meta.json"))


def per_config(stream, phase, col):
    rows = s[(s["stream"] == stream) & (s["phase"] == phase)]
    return rows.groupby("config", sort=False)[col].mean()


t = pd.DataFrame({
    "heavy_rps": per_config("heavy", "heavy+probe", "rate_rps"),
    "heavy_alone_rps": per_config("heavy", "heavy-only", "rate_rps"),
    "p99_unloaded": per_config("probe", "probe-only", "p99_ms"),
    "p99_loaded": per_config("probe", "heavy+probe", "p99_ms"),
    "p50_loaded": per_config("probe", "heavy+probe", "p50_ms"),
    "max_loaded": per_config("probe", "heavy+probe", "max_ms"),
})
t["job_ms"] = s.groupby("config", sort=False)["job_cost_ms"].first()
DEFAULT_PARTS = {"nice0", "sched-normal", "loopany", "wcpuall", "recycle0", "q128"}


def is_default(config):
    """A label whose knob parts (after strategy-fibN-wN) are all at the server's defaults."""
    parts = config.split("-")[3:]
    knobs, i = [], 0
    while i < len(parts):  # sched-normal is one part written with a dash
        knobs.append(parts[i] + ("-" + parts[i + 1] if parts[i] == "sched" else ""))
        i += 2 if parts[i] == "sched" else 1
    return all(k in DEFAULT_PARTS for k in knobs)


defaults = {st: next((c for c in t.index if c.startswith(f"{st}-") and is_default(c)), None)
            for st in ("inline", "thread", "process", "uvpool")}
inline = defaults["inline"]
ref = t.loc[inline, "heavy_rps"]
t["x_inline"] = t["heavy_rps"] / ref
t["p99_ratio"] = t["p99_loaded"] / t["p99_unloaded"]
t["ok_p99"] = t["p99_ratio"] <= 1.5
t["ok_rps"] = t["x_inline"] >= 1.85


def f(v, fmt="{:.3f}"):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


width = max(len(c) for c in t.index)
print(f"{'configuration':<{width}}  {'job ms':>6}  {'heavy/s':>8} {'x inline':>8}  "
      f"{'/hi p99 idle':>12} {'loaded':>8} {'ratio':>6}  {'p50 ld':>7} {'max ld':>7}  targets")
for c, r in t.iterrows():
    marks = ("p99 " + ("ok" if r.ok_p99 else "--")) + ", " + ("rps " + ("ok" if r.ok_rps else "--"))
    print(f"{c:<{width}}  {f(r.job_ms, '{:.2f}'):>6}  {f(r.heavy_rps, '{:.1f}'):>8} "
          f"{f(r.x_inline, '{:.2f}'):>8}  {f(r.p99_unloaded):>12} {f(r.p99_loaded):>8} "
          f"{f(r.p99_ratio, '{:.2f}'):>6}  {f(r.p50_loaded):>7} {f(r.max_loaded, '{:.2f}'):>7}  {marks}")

meeting = t[t["ok_rps"]]
best = meeting["p99_ratio"].idxmin() if len(meeting) and meeting["p99_ratio"].notna().any() \
    else t["heavy_rps"].idxmax()
rule = ("lowest p99 ratio among those reaching >= 1.85x inline" if len(meeting)
        else "none reaches 1.85x inline: the highest throughput")


def verdict(c):
    r = t.loc[c]
    return (f"/hi p99 loaded/unloaded = {f(r.p99_loaded)}/{f(r.p99_unloaded)} ms = "
            f"{f(r.p99_ratio, '{:.2f}')} (target <= 1.5: {'met' if r.ok_p99 else 'NOT met'}); "
            f"heavy {f(r.heavy_rps, '{:.1f}')}/{f(ref, '{:.1f}')} req/s = "
            f"{f(r.x_inline, '{:.2f}')}x inline (target >= 1.85: "
            f"{'met' if r.ok_rps else 'NOT met'})")


print()
print(f"best ({rule}): {best}")
print(f"  {verdict(best)}")
print("defaults:")
for st, c in defaults.items():
    print(f"  {st:<8} {c}: {verdict(c) if c else 'not measured'}")
both = t[t["ok_rps"] & t["ok_p99"]]
print(f"configurations meeting both targets: {', '.join(both.index) or 'none'}")
m = meta.get("machine", {})
print(f"machine (meta.json): {m.get('cores')} cores, {m.get('model')}, {m.get('kernel')}; "
      f"offload-lab {meta.get('versions', {}).get('offload_lab')}; run {meta.get('run_id')}, "
      f"{meta.get('params', {}).get('repeats')} repeat(s), phases {meta.get('params', {}).get('phase_s')} s")
PYTHON
echo "results: $run"
if /usr/bin/python3 -c "import matplotlib, pandas" 2>/dev/null; then
  echo "report:  $(PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$(dirname "$0")/../../notebooks/offload_graphs.py" "$run" 2>/dev/null)"
fi
