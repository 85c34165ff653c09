#!/usr/bin/python3
"""The table of harness/bench/noise_study.sh, from a kept results folder.

    harness/bench/noise_study.py RUN_DIR

Per repeat, the heavy+probe phase's /hi row: raw p99 and p99_clean (windows without a machine
stall only), stalled windows, steal (ms), the stall sentinel's max oversleep, foreign CPU and
the warnings. Then, over the repeats, the spread of raw and clean p99 (min, max, max/min and
the coefficient of variation) and, over every row of the run, how many each check flagged.
"""
import json
import sys

import pandas as pd


def spread(values):
    v = values.dropna()
    if len(v) < 2:
        return "n/a (fewer than 2 values)"
    ratio = v.max() / v.min() if v.min() > 0 else float("inf")
    return (f"min {v.min():.3f} ms, max {v.max():.3f} ms, max/min {ratio:.1f}x, "
            f"CV {v.std() / v.mean():.2f} (n={len(v)})")


def main(run):
    s = pd.read_csv(f"{run}/summary.csv")
    meta = json.load(open(f"{run}/meta.json"))
    hi = s[(s["phase"] == "heavy+probe") & (s["stream"] == "probe")].sort_values("repeat")
    cols = ["repeat", "p99_ms", "p99_clean_ms", "stalled_windows", "steal_ms", "stall_max_ms",
            "foreign_cpu_pct", "valid", "warnings"]
    missing = [c for c in cols if c not in hi.columns]
    if missing:
        sys.exit(f"noise_study: {run} has no {', '.join(missing)} (a run of an older harness)")
    print("/hi under heavy load (heavy+probe), one row per repeat:")
    print(hi[cols].fillna("").to_string(index=False))
    print()
    print("raw p99   :", spread(hi["p99_ms"]))
    print("clean p99 :", spread(hi["p99_clean_ms"]))
    valid = hi[hi["valid"] == "yes"]["p99_ms"]
    print("valid rows:", spread(valid))
    print()
    measured = s[s["stream"] != "none"]
    print(f"rows flagged, of {len(measured)} measured rows (every phase and stream):")
    counts = {}
    for w in measured["warnings"].dropna():
        for name in str(w).split(";"):
            if name:
                counts[name] = counts.get(name, 0) + 1
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:14s} {n}")
    if not counts:
        print("  none")
    m = meta.get("machine", {})
    print()
    print(f"steal over the run: {m.get('steal_total_ms', 'n/a')} ms; "
          f"harness and server share CPUs: {m.get('shares_cpus', 'n/a')}; "
          f"governor: {m.get('governor')}; SMT: {m.get('smt')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} RUN_DIR")
    main(sys.argv[1])
