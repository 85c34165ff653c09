"""The load levels of a results folder (harness/RESULTS.md, phase `load`): one row per
configuration x repeat x level with both streams side by side, the unloaded /hi reference of
the level runs, each configuration's responsive capacity and the run's validity counts.

Configurations are compared only within one workload and job size (a `size`): every table
here carries it, and the figures draw one set of panels per size.
"""
import math

import numpy as np
import pandas as pd

from results_folder import WARNING_MEANINGS, human_bytes, mean_ci

# (name in level_points, column of the heavy row) and (name, column of the probe row).
HEAVY = [("offered_rps", "offered_rps"), ("offered_pct", "offered_pct"),
         ("capacity_rps", "capacity_rps"), ("heavy_rps", "rate_rps"),
         ("heavy_p50", "p50_ms"), ("heavy_p99", "p99_ms"), ("heavy_p99_lo", "p99_lo_ms"),
         ("heavy_p99_hi", "p99_hi_ms"), ("slowdown_p99", "slowdown_p99"),
         ("rejected", "rejected"), ("errors", "errors"), ("duration_s", "duration_s"),
         ("job_cost_ms", "job_cost_ms"), ("heavy_valid", "valid"),
         ("heavy_warnings", "warnings"), ("queue_wait_p50_ms", "queue_wait_p50_ms"),
         ("queue_wait_p99_ms", "queue_wait_p99_ms"), ("service_p50_ms", "service_p50_ms"),
         ("service_p99_ms", "service_p99_ms"), ("handback_p50_ms", "handback_p50_ms"),
         ("handback_p99_ms", "handback_p99_ms"), ("queue_wait_mean_ms", "queue_wait_mean_ms"),
         ("service_mean_ms", "service_mean_ms"), ("handback_mean_ms", "handback_mean_ms"),
         ("breakdown_jobs", "breakdown_jobs")]
PROBE = [("hi_p50", "p50_ms"), ("hi_p99", "p99_ms"), ("hi_p99_lo", "p99_lo_ms"),
         ("hi_p99_hi", "p99_hi_ms"), ("hi_p99_clean", "p99_clean_ms"), ("hi_valid", "valid"),
         ("hi_warnings", "warnings")]
PARTS = [("queue_wait", "queue wait"), ("service", "service"), ("handback", "hand-back")]
DEFAULT_KNEE = 2.0


class NoLevels(Exception):
    """The folder has no load phases (an older harness, or `--load none`)."""


def has_levels(res):
    s = res.summary
    return s is not None and "phase" in s.columns and (s["phase"] == "load").any()


def size_of(row):
    """(sort key, label) of a row's workload and job size: ('fib', 30) -> 'fib(30)'."""
    fib = row.get("fib")
    payload = row.get("payload_bytes")
    if fib is not None and pd.notna(fib):
        return (0, float(fib)), f"fib({int(fib)})"
    if payload is not None and pd.notna(payload):
        return (1, float(payload)), f"{row.get('workload') or 'gpg'} {human_bytes(payload)}"
    return (2, 0.0), str(row.get("workload") or "one job size")


def sizes(res):
    """{config: job-size label} and the labels in order (smallest job first)."""
    s = res.summary
    first = s.drop_duplicates("config")
    keyed = {r["config"]: size_of(r) for _, r in first.iterrows()}
    order = [label for _, label in sorted(set(keyed.values()))]
    return {c: label for c, (_, label) in keyed.items()}, order


def _pick(df, cols):
    out = pd.DataFrame(index=df.index)
    for name, col in cols:
        out[name] = df[col] if col in df.columns else (
            "" if name.endswith(("_valid", "_warnings")) else math.nan)
    return out


def level_points(res):
    """One row per configuration x repeat x level: config, repeat, level, line, strategy,
    size (job-size label), the heavy stream's figures (HEAVY) and the probe's (PROBE),
    rejected_rps (503s per second) and hi_unloaded (that run's probe-only p99). Raises
    NoLevels without load phases."""
    if not has_levels(res):
        raise NoLevels("no load levels in this run (a folder from before them, or "
                       "--load none): run `offload-bench experiment --load 10%,25%,50%,70%,"
                       "85%,100%,120%` (`make experiment` does) to draw it")
    s = res.summary
    keys = ["config", "repeat", "load_level", "server_run"]
    load = s[s["phase"] == "load"]
    heavy = load[load["stream"] == "heavy"]
    probe = load[load["stream"] == "probe"]
    h = pd.concat([heavy[keys], _pick(heavy, HEAVY)], axis=1)
    p = pd.concat([probe[keys], _pick(probe, PROBE)], axis=1)
    pts = h.merge(p, on=keys, how="outer")
    # The probe row carries the level's heavy rate in % too: a level with no heavy row left.
    if "offered_pct" in probe.columns:
        pct = probe.set_index(keys)["offered_pct"]
        fill = pd.Series([pct.get(tuple(k), math.nan) for k in pts[keys].itertuples(index=False)],
                         index=pts.index)
        pts["offered_pct"] = pts["offered_pct"].fillna(fill)
    base = s[(s["phase"] == "probe-only") & (s["stream"] == "probe")]
    base = base.groupby(["config", "repeat", "server_run"])["p99_ms"].mean() \
        if "p99_ms" in base.columns else pd.Series(dtype=float)
    pts["hi_unloaded"] = [base.get((c, r, run), math.nan) for c, r, run in
                          pts[["config", "repeat", "server_run"]].itertuples(index=False)]
    pts["rejected_rps"] = pts["rejected"] / pts["duration_s"]
    by_size, _order = sizes(res)
    pts["size"] = pts["config"].map(by_size)
    strategies = s.drop_duplicates("config").set_index("config")["strategy"] \
        if "strategy" in s.columns else pd.Series(dtype=str)
    pts["strategy"] = pts["config"].map(strategies)
    pts = pts.rename(columns={"load_level": "level"})
    for c in ("heavy_valid", "hi_valid", "heavy_warnings", "hi_warnings"):
        pts[c] = pts[c].fillna("")
    pts = res.with_lines(pts)
    return pts.sort_values(["size", "config", "offered_rps", "repeat"], kind="stable") \
        .reset_index(drop=True)


def per_level(g):
    """One configuration's points (level_points rows) averaged over repeats, per level in
    ascending offered rate: the means, the CI band's envelope over the repeats (lowest lower
    bound, highest upper bound) and whether any repeat was invalid."""
    out = []
    for level, lv in g.groupby("level", sort=False):
        row = {"level": level}
        for c in ("offered_rps", "offered_pct", "capacity_rps", "heavy_rps", "heavy_p99",
                  "slowdown_p99", "rejected_rps", "hi_p99", "hi_p99_clean", "hi_p50") + \
                tuple(f"{p}_{q}_ms" for p, _ in PARTS for q in ("p50", "p99", "mean")):
            row[c] = mean_ci(lv[c])[0] if c in lv.columns else math.nan
        row["hi_band_lo"] = float(lv["hi_p99_lo"].min()) if lv["hi_p99_lo"].notna().any() \
            else math.nan
        # An upper bound is known only when every repeat has one (an open one stays open).
        row["hi_band_hi"] = float(lv["hi_p99_hi"].max()) if lv["hi_p99_hi"].notna().all() \
            else math.nan
        row["invalid"] = bool(((lv["heavy_valid"] == "no") | (lv["hi_valid"] == "no")).any())
        row["hi_invalid"] = bool((lv["hi_valid"] == "no").any())
        row["heavy_invalid"] = bool((lv["heavy_valid"] == "no").any())
        row["repeats"] = int(lv["repeat"].nunique())
        out.append(row)
    df = pd.DataFrame(out)
    return df.sort_values("offered_rps", kind="stable").reset_index(drop=True) if len(df) else df


def knee_factor(res):
    v = (res.meta.get("params") or {}).get("knee_factor")
    return float(v) if isinstance(v, (int, float)) and v > 0 else DEFAULT_KNEE


def unloaded(res, pts):
    """{config: /hi p99 with no heavy load}: the mean over its level runs' probe-only
    phases, else meta.json's hi_unloaded_p99_ms."""
    out = {}
    meta = {c.get("config"): c for c in res.meta.get("configs") or [] if isinstance(c, dict)}
    for config, g in pts.groupby("config", sort=False):
        per_run = g.drop_duplicates(["repeat", "server_run"])["hi_unloaded"]
        v = mean_ci(per_run)[0]
        if not np.isfinite(v):
            m = meta.get(config, {}).get("hi_unloaded_p99_ms")
            v = float(m) if isinstance(m, (int, float)) else math.nan
        out[config] = v
    return out


def responsive_from_levels(levels, base, knee):
    """(responsive dict or None, why) by the harness's rule: the highest level at which it
    and every lower level kept the mean /hi p99 within knee x the unloaded p99."""
    if not np.isfinite(base):
        return None, "no unloaded /hi p99 to compare with"
    best = None
    for _, r in levels.iterrows():
        if not (np.isfinite(r["hi_p99"]) and r["hi_p99"] <= knee * base):
            if best is None:
                what = f"{r['hi_p99']:.3g} ms" if np.isfinite(r["hi_p99"]) else "not measured"
                return None, (f"/hi p99 at the lowest level ({r['level']}) was {what}, over "
                              f"{knee:g} x the unloaded {base:.3g} ms")
            break
        best = {"level": r["level"], "offered_rps": r["offered_rps"],
                "offered_pct": r["offered_pct"], "heavy_rps": r["heavy_rps"],
                "heavy_p99_ms": r["heavy_p99"], "hi_p99_ms": r["hi_p99"]}
    if best is None:
        return None, "no load level ran"
    return best, ""


def responsive(res, pts=None):
    """{config: (responsive dict or None, why, source)}: meta.json's configs[].responsive
    where the harness wrote it (source 'meta.json'), else computed from summary.csv by the
    same rule (source 'summary.csv')."""
    meta = {c.get("config"): c for c in res.meta.get("configs") or [] if isinstance(c, dict)}
    pts = level_points(res) if pts is None else pts
    base = unloaded(res, pts)
    knee = knee_factor(res)
    out = {}
    for config, g in pts.groupby("config", sort=False):
        m = meta.get(config, {})
        if "responsive" in m:
            r = m["responsive"]
            out[config] = (r if isinstance(r, dict) else None,
                           str(m.get("responsive_why") or ("" if r else "not given")),
                           "meta.json")
        else:
            r, why = responsive_from_levels(per_level(g), base[config], knee)
            out[config] = (r, why, "summary.csv")
    return out


def capacity(res, config):
    """A configuration's measured heavy capacity (req/s): meta.json's capacity_rps, else the
    mean heavy rate of its heavy-only phases."""
    for c in res.meta.get("configs") or []:
        if isinstance(c, dict) and c.get("config") == config and \
                isinstance(c.get("capacity_rps"), (int, float)):
            return float(c["capacity_rps"])
    s = res.summary
    rows = s[(s["config"] == config) & (s["phase"] == "heavy-only") & (s["stream"] == "heavy")]
    return mean_ci(rows["rate_rps"])[0] if "rate_rps" in rows.columns else math.nan


def validity(res):
    """{'rows', 'invalid_rows', 'by_warning': {name: count}, 'thresholds', 'source'}: from
    meta.json's validity, else counted in summary.csv; None for a folder without the
    columns (an older harness)."""
    v = res.meta.get("validity")
    if isinstance(v, dict) and "invalid_rows" in v:
        return {"rows": v.get("rows"), "invalid_rows": v.get("invalid_rows"),
                "by_warning": {k: n for k, n in (v.get("by_warning") or {}).items() if n},
                "thresholds": v.get("thresholds") or {}, "source": "meta.json"}
    s = res.summary
    if s is None or "valid" not in s.columns or not (s["valid"] != "").any():
        return None
    counts = {}
    for w in s["warnings"] if "warnings" in s.columns else []:
        for name in str(w).split(";"):
            if name:
                counts[name] = counts.get(name, 0) + 1
    return {"rows": len(s), "invalid_rows": int((s["valid"] == "no").sum()),
            "by_warning": counts, "thresholds": {}, "source": "summary.csv"}


def meaning(warning):
    return WARNING_MEANINGS.get(warning, "a check this reader does not know")
