"""The run at a glance: one row per configuration x repeat, the figures a reader compares.

Built from summary.csv's long rows (configuration x repeat x phase x stream). NaN stays NaN:
a percentile the harness left empty is shown as 'n/a', not 0. With knob sweeps and SLOs
(issue 7), the knobs that differ between configurations and each repeat's SLO verdict too.
"""
import math

import pandas as pd

from load_levels import (NoLevels, capacity, knee_factor, level_points, per_level, responsive,
                         unloaded)

INVALID_MARK = "✗"  # marks an invalid row in the tables (the figures draw it hollow)

# (column title, stream, phase, summary column)
PICKS = [
    ("heavy req/s (heavy only)", "heavy", "heavy-only", "rate_rps"),
    ("heavy req/s (with /hi probe)", "heavy", "heavy+probe", "rate_rps"),
    ("/hi p50 unloaded (ms)", "probe", "probe-only", "p50_ms"),
    ("/hi p99 unloaded (ms)", "probe", "probe-only", "p99_ms"),
    ("/hi p50 loaded (ms)", "probe", "heavy+probe", "p50_ms"),
    ("/hi p99 loaded (ms)", "probe", "heavy+probe", "p99_ms"),
    ("/hi p99 loaded 95% CI lo", "probe", "heavy+probe", "p99_lo_ms"),
    ("/hi p99 loaded 95% CI hi", "probe", "heavy+probe", "p99_hi_ms"),
    ("/hi max loaded (ms)", "probe", "heavy+probe", "max_ms"),
    ("/hi send lateness p99 loaded (ms)", "probe", "heavy+probe", "lateness_p99_ms"),
]


def overview(res):
    """DataFrame: one row per configuration x repeat (empty when summary.csv is unusable)."""
    s = res.summary
    if s is None or s.empty or not {"config", "phase", "stream"} <= set(s.columns):
        return pd.DataFrame()
    keys = ["config"] + (["repeat"] if "repeat" in s.columns else [])
    s = res.with_lines(s)
    first = s.groupby(keys, sort=False).first().reset_index()
    out = pd.DataFrame({"configuration": first["config"], "line": first["line"]})
    if "repeat" in first.columns:
        out["repeat"] = first["repeat"]
    # The knobs this run swept (issue 7); an empty cell: the knob does not apply (inline has
    # no workers) or, for the CPU knobs, nothing is pinned.
    for c in res.swept_knob_columns():
        out[c] = list(first[c])
    if "fib" in first.columns and first["fib"].notna().any():
        out["FIB"] = first["fib"]
    if "payload_bytes" in first.columns and first["payload_bytes"].notna().any():
        out["payload (bytes)"] = first["payload_bytes"]
    if "job_cost_ms" in first.columns:
        out["job cost (ms)"] = first["job_cost_ms"]
    for title, stream, phase, col in PICKS:
        if col not in s.columns:
            continue
        sel = s[(s["stream"] == stream) & (s["phase"] == phase)]
        vals = sel.groupby(keys)[col].first()
        out[title] = [vals.get(tuple(r) if len(keys) > 1 else r[0], math.nan)
                      for r in first[keys].itertuples(index=False)]
    if "errors" in s.columns:
        errs = s.groupby(keys)["errors"].sum(min_count=1)
        out["errors (all streams)"] = [errs.get(tuple(r) if len(keys) > 1 else r[0], math.nan)
                                       for r in first[keys].itertuples(index=False)]
    if "error_classes" in s.columns:
        cls = s.groupby(keys)["error_classes"].agg(
            lambda v: ";".join(x for x in v.dropna().astype(str) if x))
        out["error classes"] = [cls.get(tuple(r) if len(keys) > 1 else r[0], "")
                                for r in first[keys].itertuples(index=False)]
    if "slo_pass" in s.columns and s["slo_pass"].isin(["pass", "fail"]).any():
        checked = s[(s["phase"] == "heavy+probe") & s["slo_pass"].isin(["pass", "fail"])]
        for title, col in (("SLO (this repeat)", "slo_pass"), ("SLO detail", "slo_detail")):
            if col not in checked.columns:
                continue
            vals = checked.groupby(keys)[col].first()
            out[title] = [vals.get(tuple(r) if len(keys) > 1 else r[0], "")
                          for r in first[keys].itertuples(index=False)]
    if "valid" in s.columns and (s["valid"] != "").any():
        def flagged(g):
            bad = g[g["valid"] == "no"]
            if bad.empty:
                return ""
            names = sorted({w for x in bad["warnings"] for w in str(x).split(";") if w})
            return f"{INVALID_MARK} {len(bad)} of {len(g)}: {', '.join(names)}"
        marks = s.groupby(keys).apply(flagged)
        out["invalid rows"] = [marks.get(tuple(r) if len(keys) > 1 else r[0], "")
                               for r in first[keys].itertuples(index=False)]
    if "knobs_refused" in s.columns:
        refused = s.groupby(keys)["knobs_refused"].agg(
            lambda v: "; ".join(sorted({str(x) for x in v.dropna() if str(x)})))
        if (refused != "").any():
            out["knobs refused"] = [refused.get(tuple(r) if len(keys) > 1 else r[0], "")
                                    for r in first[keys].itertuples(index=False)]
    order = {ln: i for i, ln in enumerate(res.lines())}
    sort_cols = ["_o"] + [c for c in ("FIB", "payload (bytes)", "repeat") if c in out.columns]
    out = out.assign(_o=out["line"].map(order)).sort_values(sort_cols, kind="stable")
    return out.drop(columns=["_o"]).reset_index(drop=True)


def answer(res):
    """The run's answer, one row per configuration: its responsive capacity (the highest
    offered heavy load at which /hi p99 stays within knee_factor x its unloaded p99, as
    meta.json gives it, else computed from summary.csv by the same rule) with the heavy
    throughput and p99 there; 'none' and why when even the lowest level failed. Ranked by
    it within each workload and job size only. Empty without load levels."""
    try:
        pts = level_points(res)
    except NoLevels:
        return pd.DataFrame()
    answers = responsive(res, pts)
    base = unloaded(res, pts)
    knee = knee_factor(res)
    rows = []
    for config, g in pts.groupby("config", sort=False):
        r, why, source = answers[config]
        have = isinstance(r, dict)
        rows.append({
            "job size": g["size"].iloc[0], "configuration": config, "line": g["line"].iloc[0],
            "capacity (req/s)": capacity(res, config),
            "/hi p99 unloaded (ms)": base.get(config, math.nan),
            "responsive capacity": f"{r['level']}" if have else "none",
            "offered there (req/s)": _num(r, "offered_rps"),
            "offered there (% of basis)": _num(r, "offered_pct"),
            "heavy req/s there": _num(r, "heavy_rps"),
            "heavy p99 there (ms)": _num(r, "heavy_p99_ms"),
            "/hi p99 there (ms)": _num(r, "hi_p99_ms"),
            "why none": "" if have else (why or "not given"),
            "_key": _num(r, "offered_rps") if have else -1.0,
            "_then": _num(r, "heavy_rps") if have else -1.0,
            "_size": float(g["job_cost_ms"].median()) if g["job_cost_ms"].notna().any() else 0,
        })
    df = pd.DataFrame(rows)
    df["rank in its job size"] = [
        int((df[(df["job size"] == r["job size"])]["_key"] > r["_key"]).sum()) + 1
        if r["_key"] >= 0 else "–" for _, r in df.iterrows()]
    # Job sizes in order of their (median) job cost; within one, by responsive capacity, and
    # ties (the same level) the one that completed more heavy work there first.
    df["_size"] = df.groupby("job size")["_size"].transform("median")
    df = df.sort_values(["_size", "job size", "_key", "_then"],
                        ascending=[True, True, False, False], kind="stable")
    cols = ["job size", "rank in its job size", "configuration", "line"] + \
        [c for c in df.columns if c not in ("job size", "rank in its job size", "configuration",
                                            "line", "_key", "_then", "_size")]
    out = df[cols].reset_index(drop=True)
    out.attrs["knee_factor"] = knee
    out.attrs["source"] = sorted({a[2] for a in answers.values()})
    return out


def _num(r, key):
    v = r.get(key) if isinstance(r, dict) else None
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def levels_table(res):
    """One row per configuration x load level, mean over repeats: offered and achieved heavy
    rate, 503s, heavy and /hi p99 (and the stall-free /hi p99 beside, never instead), the
    breakdown medians and the invalid rows, marked. Empty without load levels."""
    try:
        pts = level_points(res)
    except NoLevels:
        return pd.DataFrame()
    rows = []
    for config, g in pts.groupby("config", sort=False):
        for _, lv in per_level(g).iterrows():
            sel = g[g["level"] == lv["level"]]
            bad = []
            for _, r in sel.iterrows():
                for stream, col in (("heavy", "heavy"), ("/hi", "hi")):
                    if r[f"{col}_valid"] == "no":
                        bad.append(f"r{int(r['repeat'])} {stream}: {r[f'{col}_warnings']}")
            rows.append({"job size": g["size"].iloc[0], "configuration": config,
                         "level": lv["level"], "offered (req/s)": lv["offered_rps"],
                         "offered (%)": lv["offered_pct"],
                         "heavy req/s achieved": lv["heavy_rps"],
                         "503s per s": lv["rejected_rps"], "heavy p99 (ms)": lv["heavy_p99"],
                         "/hi p99 (ms)": lv["hi_p99"],
                         "/hi p99 stall-free windows (ms)": lv["hi_p99_clean"],
                         "queue wait p50 (ms)": lv["queue_wait_p50_ms"],
                         "service p50 (ms)": lv["service_p50_ms"],
                         "repeats": lv["repeats"],
                         "invalid": (f"{INVALID_MARK} " + "; ".join(bad)) if bad else ""})
    df = pd.DataFrame(rows)
    drop = [c for c in ("/hi p99 stall-free windows (ms)", "queue wait p50 (ms)",
                        "service p50 (ms)") if df[c].isna().all()]
    return df.drop(columns=drop)


def fmt_cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e6:
            return f"{int(v):,}" if abs(v) >= 1000 else str(int(v))
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)
