"""The run at a glance: one row per configuration x repeat, the figures a reader compares.

Built from summary.csv's long rows (configuration x repeat x phase x stream). NaN stays NaN:
a percentile the harness left empty is shown as 'n/a', not 0. With knob sweeps and SLOs
(issue 7), the knobs that differ between configurations and each repeat's SLO verdict too.
"""
import math

import pandas as pd

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


def fmt_cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e6:
            return str(int(v))
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)
