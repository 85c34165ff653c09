"""The figures of a run with load levels (harness/RESULTS.md, phase `load`): latency against
the offered heavy load, where the heavy request's time goes at each level, and the latency
spectra of the .hgrm files. One set of panels per workload and job size: configurations are
only compared within one. A folder without load levels raises NotDrawn.

Artists carry a gid ("hi-mean:<config>", ...) so that tests can find them.
"""
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from figure_parts import (LOG_FLOOR_MS, MissingData, NotDrawn, finish, line_colors, log_125,
                          ms_formatter, new_figure, shade)
from load_levels import (PARTS, NoLevels, capacity, knee_factor, level_points, per_level,
                         responsive, unloaded)

LEVELS_ONLY = {"latency_vs_load", "latency_breakdown", "hgrm_spectrum"}
# Where a point's p99_clean must differ from the raw p99 to be drawn beside it: below that
# the two lines would lie on each other and say nothing.
CLEAN_DIFFERS = 0.05
HOLLOW = "white"
# The percentile axis of the spectra: 1/(1-q), labelled as the percentile.
SPECTRUM_TICKS = [(2, "50%"), (10, "90%"), (100, "99%"), (1000, "99.9%"), (10000, "99.99%"),
                  (100000, "99.999%")]


def points_or_not_drawn(res):
    try:
        return level_points(res)
    except NoLevels as e:
        raise NotDrawn(str(e)) from None


def groups(res, pts):
    """[(size label, [(line, config), ...])] in job-size order, lines in res.lines() order."""
    order = {ln: i for i, ln in enumerate(res.lines())}
    out = []
    for size in sorted(pts["size"].unique(), key=lambda s: size_rank(pts, s)):
        d = pts[pts["size"] == size].drop_duplicates("config")
        d = d.assign(_o=d["line"].map(order).fillna(len(order))).sort_values("_o", kind="stable")
        out.append((size, list(zip(d["line"], d["config"]))))
    return out


def size_rank(pts, size):
    cost = pts[pts["size"] == size]["job_cost_ms"]
    return float(cost.median()) if cost.notna().any() else 0.0


def size_title(pts, size):
    cost = pts[pts["size"] == size]["job_cost_ms"].median()
    return f"{size}" + (f" · job ≈ {cost:.3g} ms" if np.isfinite(cost) else "")


def machine_short(res):
    m = res.meta.get("machine") or {}
    parts = [str(m["model"])] if m.get("model") else []
    if m.get("cores"):
        parts.append(f"{m['cores']} cores")
    return ", ".join(parts) or "machine unknown"


def number(v):
    """A JSON value as a float: NaN for null or anything not a number."""
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def draw_points(ax, x, y, color, invalid, gid, **kw):
    """Points, filled when valid and hollow when invalid, as two Line2D (gid + ':valid' and
    ':invalid') so a test can tell them apart."""
    x, y, invalid = np.asarray(x, float), np.asarray(y, float), np.asarray(invalid, bool)
    for flag, suffix, face in ((False, "valid", color), (True, "invalid", HOLLOW)):
        sel = invalid == flag
        if sel.any():
            ax.plot(x[sel], y[sel], ls="none", color=color, mfc=face, gid=f"{gid}:{suffix}",
                    **kw)


def percent_axis(ax, basis):
    """A second x axis on top: the offered load in % of the basis capacity."""
    sec = ax.secondary_xaxis("top", functions=(lambda v: v / basis * 100,
                                               lambda p: p * basis / 100))
    sec.set_xlabel(f"offered, % of the basis capacity ({basis:,.0f} req/s)", fontsize=9)
    sec.tick_params(labelsize=8)
    return sec


def log_ms(ax, values):
    ax.set_yscale("log")
    log_125(ax.yaxis)
    ax.yaxis.set_major_formatter(ms_formatter())
    v = pd.Series(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v):
        ax.set_ylim(v.min() / 2, v.max() * 2.5)


# ---- latency vs offered load ---------------------------------------------------------------------
def plot_latency_vs_load(res):
    pts = points_or_not_drawn(res)
    sets = groups(res, pts)
    colors = line_colors(res)
    base = unloaded(res, pts)
    answers = responsive(res, pts)
    knee = knee_factor(res)
    fig, axes = new_figure("latency_vs_load", 3, len(sets), sharex="col",
                           gridspec_kw={"height_ratios": [1.35, 1, 1]})
    clean_drawn, own_basis, band_open = False, False, False
    for j, (size, lines) in enumerate(sets):
        ax_hi, ax_heavy, ax_rate = axes[0][j], axes[1][j], axes[2][j]
        shown_hi, shown_heavy, tops = [], [], []
        for line, config in lines:
            c = colors.get(line, "#7f7f7f")
            g = pts[pts["config"] == config]
            lv = per_level(g)
            if lv.empty:
                continue
            x = lv["offered_rps"].to_numpy(float)
            # top: /hi p99, the mean over repeats; each repeat light; CI envelope; unloaded.
            ax_hi.plot(x, lv["hi_p99"], "-", color=c, lw=2, label=line, gid=f"hi-mean:{config}")
            draw_points(ax_hi, x, lv["hi_p99"], c, lv["hi_invalid"], f"hi-mean-points:{config}",
                        marker="o", ms=6, mew=1.5)
            draw_points(ax_hi, g["offered_rps"], g["hi_p99"], shade(c, 0.15),
                        g["hi_valid"] == "no", f"hi-repeats:{config}", marker="o", ms=4,
                        mew=1, alpha=0.8)
            lo, hi = lv["hi_band_lo"].to_numpy(float), lv["hi_band_hi"].to_numpy(float)
            band_open |= bool((np.isfinite(lo) & ~np.isfinite(hi)).any())
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax_hi.fill_between(x, np.where(ok, lo, np.nan), np.where(ok, hi, np.nan),
                                   color=c, alpha=0.13, lw=0, gid=f"hi-band:{config}")
            if np.isfinite(base.get(config, math.nan)):
                ax_hi.axhline(base[config], color=c, ls="--", lw=1.1, alpha=0.9,
                              gid=f"hi-unloaded:{config}")
                shown_hi.append(base[config])
            clean = lv["hi_p99_clean"].to_numpy(float)
            differs = np.isfinite(clean) & (np.abs(clean - lv["hi_p99"].to_numpy(float))
                                            > CLEAN_DIFFERS * lv["hi_p99"].to_numpy(float))
            if differs.any():
                ax_hi.plot(x, clean, ":", color=c, lw=1, gid=f"hi-clean:{config}")
                clean_drawn = True
            r = answers.get(config, (None, "", ""))[0]
            sx, sy = (number(r.get(k)) for k in ("offered_rps", "hi_p99_ms")) if r \
                else (math.nan, math.nan)
            if np.isfinite(sx) and np.isfinite(sy):
                ax_hi.plot([sx], [sy], marker="*", ms=15, color=c, mec="k", mew=0.8, ls="none",
                           zorder=5, gid=f"responsive:{config}")
            shown_hi += list(g["hi_p99"])
            # middle: heavy p99, the same way.
            ax_heavy.plot(x, lv["heavy_p99"], "-", color=c, lw=2, gid=f"heavy-mean:{config}")
            draw_points(ax_heavy, x, lv["heavy_p99"], c, lv["heavy_invalid"],
                        f"heavy-mean-points:{config}", marker="s", ms=5, mew=1.5)
            draw_points(ax_heavy, g["offered_rps"], g["heavy_p99"], shade(c, 0.15),
                        g["heavy_valid"] == "no", f"heavy-repeats:{config}", marker="s", ms=3.5,
                        mew=1, alpha=0.8)
            shown_heavy += list(g["heavy_p99"])
            # bottom: achieved vs offered, and the 503s.
            ax_rate.plot(x, lv["heavy_rps"], "-", color=c, lw=2, gid=f"rate-mean:{config}")
            draw_points(ax_rate, x, lv["heavy_rps"], c, lv["heavy_invalid"],
                        f"rate-mean-points:{config}", marker="o", ms=5, mew=1.5)
            rej = lv["rejected_rps"].to_numpy(float)
            if np.nansum(rej) > 0:  # from the last level without 503s on
                first = max(int(np.argmax(np.nan_to_num(rej) > 0)) - 1, 0)
                ax_rate.plot(x[first:], rej[first:], "--", marker="x", ms=6, color=c, lw=1.2,
                             gid=f"rate-503:{config}")
            tops += list(lv["heavy_rps"]) + list(rej)
            own_basis |= g["capacity_rps"].nunique() > 1
        offered = pts[pts["size"] == size]
        xmax = float(offered["offered_rps"].max()) if offered["offered_rps"].notna().any() else 1
        ax_rate.plot([0, xmax * 1.05], [0, xmax * 1.05], color="#777777", lw=1, ls=(0, (2, 2)),
                     gid="rate-offered")
        costs = offered.drop_duplicates("config")["job_cost_ms"].dropna()
        if len(costs):
            cost = float(costs.median())
            ax_heavy.axhline(cost, color="#777777", lw=1, ls=(0, (2, 2)), gid="job-cost")
            ax_heavy.annotate(f"job cost {cost:.3g} ms", (0.005, cost), xycoords=("axes fraction",
                                                                                   "data"),
                              xytext=(2, 3), textcoords="offset points", fontsize=7.5,
                              color="#555555")
            shown_heavy.append(cost)
        log_ms(ax_hi, shown_hi)
        log_ms(ax_heavy, shown_heavy)
        ax_rate.set_ylim(0, max([v for v in tops if np.isfinite(v)] + [xmax]) * 1.1)
        ax_rate.set_xlim(0, xmax * 1.05)
        bases = offered["capacity_rps"].dropna().unique()
        if len(bases) == 1 and bases[0] > 0:
            percent_axis(ax_hi, float(bases[0]))
        ax_hi.set_title(size_title(pts, size), fontsize=11, pad=28 if len(bases) == 1 else 6)
        ax_rate.set_xlabel("offered heavy load (req/s, open loop)")
        for ax in (ax_hi, ax_heavy, ax_rate):
            ax.grid(True, alpha=0.3)
        if j == 0:
            ax_hi.set_ylabel("/hi p99 (log)")
            ax_heavy.set_ylabel("heavy GET / p99 (log)")
            ax_rate.set_ylabel("heavy req/s")
    # The legend: one entry per configuration's line, then what each mark means.
    hs, ls, seen = [], [], set()
    for _size, lines in sets:
        for line, _config in lines:
            if line not in seen:
                seen.add(line)
                hs.append(Line2D([], [], color=colors.get(line, "#7f7f7f"), lw=2, marker="o"))
                ls.append(line)
    grey = "#555555"
    hs += [Line2D([], [], color=grey, ls="--", lw=1.1),
           Patch(color=grey, alpha=0.2),
           Line2D([], [], color=shade(grey, 0.15), marker="o", ms=4, ls="none"),
           Line2D([], [], color=grey, marker="o", mfc=HOLLOW, ms=6, ls="none"),
           Line2D([], [], color=grey, marker="*", mec="k", ms=12, ls="none"),
           Line2D([], [], color=grey, ls="--", marker="x"),
           Line2D([], [], color="#777777", ls=(0, (2, 2)))]
    ls += ["/hi p99 with no heavy load (its colour)", "p99's 95% CI over the repeats",
           "one repeat", "hollow: invalid (see below)",
           f"responsive capacity (/hi p99 ≤ {knee:g}× unloaded)", "503s per second",
           "achieved = offered; job cost"]
    if clean_drawn:
        hs.append(Line2D([], [], color=grey, ls=":", lw=1))
        ls.append("/hi p99 of stall-free windows only (p99_clean; the raw line is the measure)")
    notes = ["lines: mean over repeats", "open loop: latency from the intended send time"]
    if own_basis:
        notes.append("--load-basis own: each configuration's % is of its own capacity")
    if band_open:
        notes.append("no band where a repeat had too few samples for the CI's upper bound")
    notes.append("compare lines only within a panel: one workload and job size")
    return finish(fig, res, f"Latency vs offered heavy load — {machine_short(res)}",
                  " · ".join(notes), legend=(hs, ls, 4), note=invalid_note(pts))


def invalid_note(pts):
    """Under a figure: how many of its rows were invalid, and for which reasons."""
    n_rows = int(pts["heavy_valid"].ne("").sum() + pts["hi_valid"].ne("").sum())
    bad = pd.concat([pts.loc[pts["heavy_valid"] == "no", "heavy_warnings"],
                     pts.loc[pts["hi_valid"] == "no", "hi_warnings"]])
    if not n_rows:
        return "validity not recorded in this folder (an older harness): no row is marked"
    if not len(bad):
        return f"all {n_rows} rows drawn passed the validity checks"
    counts = {}
    for w in bad:
        for name in str(w).split(";"):
            if name:
                counts[name] = counts.get(name, 0) + 1
    why = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return (f"hollow markers: {len(bad)} of {n_rows} rows drawn are invalid ({why}); "
            "a hollow mean had an invalid repeat — see the report's validity section")


# ---- where the heavy request's time goes ------------------------------------------------------
PART_STYLE = {"queue_wait": {"alpha": 0.45, "hatch": "///"}, "service": {"alpha": 1.0},
              "handback": {"alpha": 0.75, "hatch": ".."}}
PART_MARKERS = {"queue_wait": "^", "service": "o", "handback": "s"}


def plot_latency_breakdown(res):
    pts = points_or_not_drawn(res)
    cols = [f"{p}_{q}_ms" for p, _ in PARTS for q in ("p50", "p99", "mean")]
    if not pts[cols].notna().any().any():
        raise MissingData("summary.csv has no queue_wait / service / handback figures: the "
                          "server reported no job histograms")
    # The bars stack the parts' exact means where the folder has them: means add up to the
    # job's mean time in the server, quantiles do not. Older layouts: the p50s.
    stat = "mean" if pts[[f"{p}_mean_ms" for p, _ in PARTS]].notna().any().any() else "p50"
    sets = groups(res, pts)
    colors = line_colors(res)
    fig, axes = new_figure("latency_breakdown", 2, len(sets), sharex="col")
    for j, (size, lines) in enumerate(sets):
        ax50, ax99 = axes[0][j], axes[1][j]
        d = pts[pts["size"] == size]
        levels = d.groupby("level")["offered_pct"].mean().sort_values()
        if levels.isna().all():
            levels = d.groupby("level")["offered_rps"].mean().sort_values()
        levels = list(levels.index)
        width = 0.8 / max(len(lines), 1)
        top = []
        for i, (line, config) in enumerate(lines):
            c = colors.get(line, "#7f7f7f")
            lv = per_level(d[d["config"] == config]).set_index("level").reindex(levels)
            x = np.arange(len(levels)) - 0.4 + width * (i + 0.5)
            bottom = np.zeros(len(levels))
            for part, name in PARTS:
                v = lv[f"{part}_{stat}_ms"].to_numpy(float)
                bars = ax50.bar(x, np.nan_to_num(v), width, bottom=bottom, color=c,
                                edgecolor="#333333", lw=0.5, **PART_STYLE[part])
                for rect, level in zip(bars.patches, levels):
                    rect.set_gid(f"bar-{stat}:{part}:{config}:{level}")
                bottom = bottom + np.nan_to_num(v)
                p99 = lv[f"{part}_p99_ms"].to_numpy(float)
                ax99.plot(x, np.where(p99 > 0, p99, LOG_FLOOR_MS), ls="none",
                          marker=PART_MARKERS[part], ms=6, color=c, mec="#222222", mew=0.5,
                          gid=f"p99:{part}:{config}")
                top += list(p99)
            for xi, total, miss in zip(x, bottom, lv[f"service_{stat}_ms"].isna()):
                if miss:
                    ax50.text(xi, 0, "n/a", ha="center", va="bottom", fontsize=7,
                              color="#aa0000", rotation=90)
        labels = [f"{lv}\n{d[d['level'] == lv]['offered_rps'].mean():,.0f}/s" for lv in levels]
        ax99.set_xticks(np.arange(len(levels)), labels, fontsize=8)
        ax50.set_title(size_title(pts, size), fontsize=11)
        ax50.set_ylim(bottom=0)
        log_ms(ax99, top)
        ax99.set_xlabel("load level (offered heavy req/s)")
        for ax in (ax50, ax99):
            ax.grid(True, axis="y", alpha=0.3)
        if j == 0:
            ax50.set_ylabel(f"{'mean' if stat == 'mean' else 'p50'} of each part (ms, stacked)")
            ax99.set_ylabel("p99 of each part (log)")
    hs, ls = [], []
    for _size, lines in sets:
        for line, _config in lines:
            if line not in ls:
                hs.append(Patch(color=colors.get(line, "#7f7f7f")))
                ls.append(line)
    for part, name in PARTS:
        hs.append(Patch(facecolor="#888888", edgecolor="#333333", **PART_STYLE[part]))
        ls.append(f"{name} ({stat} bar)")
    for part, name in PARTS:
        hs.append(Line2D([], [], ls="none", marker=PART_MARKERS[part], color="#888888",
                         mec="#222222"))
        ls.append(f"{name} p99")
    return finish(fig, res, f"Where the heavy request's time goes, per load level — "
                  f"{machine_short(res)}",
                  "server side, from its job histograms: queue wait (accepted → started; "
                  "inline: waiting for the loop), service (started → finished, where it ran), "
                  "hand-back (finished → response written) · "
                  + ("bars: the parts' means stacked (they add up to the job's mean time in "
                     "the server)" if stat == "mean" else
                     "bars: the parts' p50s stacked (p50s do not add up exactly)")
                  + " · markers: each part's p99 · mean over repeats",
                  legend=(hs, ls, 6), note=invalid_note(pts))


# ---- the latency spectra of the .hgrm files ---------------------------------------------------
def read_hgrm(path):
    """An .hgrm file as a DataFrame (value_ms, percentile, count, inv) without its last
    line (the maximum, at percentile 1: no place on a 1/(1-q) axis)."""
    rows = []
    for text in Path(path).read_text().splitlines():
        f = text.split()
        if len(f) != 4 or text.startswith("#"):
            continue
        try:
            value, q, count = float(f[0]), float(f[1]), int(f[2])
        except ValueError:  # the header line
            continue
        if q < 1.0:
            rows.append((value, q, count, 1.0 / (1.0 - q)))
    return pd.DataFrame(rows, columns=["value_ms", "percentile", "count", "inv"])


def hgrm_path(res, config, repeat, level, stream):
    slug = str(level).replace("%", "pct")
    return res.path / "hgrm" / f"{config}-r{int(repeat)}-load-{slug}-{stream}.hgrm"


def spectrum_level(res, pts, size, level=None):
    """(level, why) for one job size: the one asked for, else the highest level offered
    below every configuration's measured capacity, else the one nearest 70%."""
    d = pts[pts["size"] == size]
    by_level = d.groupby("level").agg(offered=("offered_rps", "mean"),
                                      pct=("offered_pct", "mean")).sort_values("offered")
    if level is not None:
        if level not in by_level.index:
            raise MissingData(f"no load level {level!r} in this run (levels: "
                              f"{', '.join(by_level.index)})")
        return level, "the level asked for"
    caps = [capacity(res, c) for c in d["config"].unique()]
    below = [lv for lv, r in by_level.iterrows()
             if all(np.isfinite(cp) and r["offered"] < cp for cp in caps)]
    if below:
        return below[-1], "the highest level below every configuration's capacity"
    pct = by_level["pct"]
    if pct.notna().any():
        return (pct - 70).abs().idxmin(), "no level was below every capacity: the one nearest 70%"
    return by_level.index[len(by_level) // 2], "the middle level"


def plot_hgrm_spectrum(res, level=None):
    pts = points_or_not_drawn(res)
    sets = groups(res, pts)
    colors = line_colors(res)
    fig, axes = new_figure("hgrm_spectrum", len(sets), 2)
    drawn, missing, titles, inv_max, chosen = 0, [], [], 2.0, []
    for i, (size, lines) in enumerate(sets):
        lv, why = spectrum_level(res, pts, size, level)
        d = pts[(pts["size"] == size) & (pts["level"] == lv)]
        offered = d["offered_rps"].mean()
        titles.append(f"{size} at level {lv} ({offered:,.0f} req/s offered): {why}")
        chosen.append(lv)
        for k, (stream, what) in enumerate((("heavy", "heavy GET /"), ("probe", "/hi"))):
            ax = axes[i][k]
            values = []
            for line, config in lines:
                c = colors.get(line, "#7f7f7f")
                reps = sorted(d[d["config"] == config]["repeat"].dropna().unique())
                for n, rep in enumerate(reps):
                    path = hgrm_path(res, config, rep, lv, stream)
                    if not path.is_file():
                        missing.append(path.name)
                        continue
                    h = read_hgrm(path)
                    if h.empty:
                        continue
                    ax.plot(h["inv"], np.where(h["value_ms"] > 0, h["value_ms"], LOG_FLOOR_MS),
                            color=c if n == 0 else shade(c, 0.2), lw=1.8 if n == 0 else 1,
                            label=line if n == 0 else None,
                            gid=f"hgrm:{stream}:{config}:r{int(rep)}")
                    values += list(h["value_ms"])
                    inv_max = max(inv_max, float(h["inv"].max()))
                    drawn += 1
            ax.set_xscale("log")
            ticks = [t for t in SPECTRUM_TICKS if t[0] <= inv_max * 1.5]
            ax.xaxis.set_major_locator(FixedLocator([t for t, _ in ticks]))
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _p, names=dict(ticks): names.get(round(v), "")))
            ax.xaxis.set_minor_locator(NullLocator())
            log_ms(ax, values)
            ax.set_title(f"{what} · {size} · level {lv}", fontsize=10.5)
            ax.grid(True, alpha=0.3)
            if i == len(sets) - 1:
                ax.set_xlabel("percentile (axis: 1/(1−q), log)")
            if k == 0:
                ax.set_ylabel("latency (log)")
    if not drawn:
        raise MissingData(f"no .hgrm files of the load levels in {res.path / 'hgrm'}")
    for row in axes:
        for ax in row:
            ax.set_xlim(1, inv_max * 1.5)
    hs, ls = [], []
    for _size, lines in sets:
        for line, _config in lines:
            if line not in ls:
                hs.append(Line2D([], [], color=colors.get(line, "#7f7f7f"), lw=1.8))
                ls.append(line)
    hs.append(Line2D([], [], color="#999999", lw=1))
    ls.append("other repeats (lighter)")
    notes = ["the whole latency distribution as wrk2 draws it: the right end is the tail",
             "open loop: latency from the intended send time"] + titles
    at = f"load level {chosen[0]}" if len(set(chosen)) == 1 else "one load level per job size"
    return finish(fig, res, f"Latency spectra at {at} — {machine_short(res)}",
                  " · ".join(notes), legend=(hs, ls, 6),
                  note=(f"{len(missing)} .hgrm file(s) missing: {', '.join(missing[:4])}"
                        + (" ..." if len(missing) > 4 else "")) if missing else None)


HOW_TO_READ = {
    "latency_vs_load":
        "The main result: how each configuration's latency grows as the offered heavy load "
        "rises from idle past saturation (x: offered heavy req/s, open loop; top axis: % of "
        "the basis capacity). Top: /hi p99 with its confidence band and, dashed in the same "
        "colour, /hi p99 with no heavy load; the star is the configuration's responsive "
        "capacity, the last level at which /hi p99 stayed within the knee factor × unloaded. "
        "Middle: the heavy request's own p99 (ms; the grey line is one job's cost, so the "
        "distance to it is the slowdown). Bottom: the heavy rate achieved against the rate "
        "offered (the grey diagonal): where a line bends away the configuration is saturated, "
        "and the dashed line with crosses counts the 503s it answered. Hollow markers are "
        "rows the validity checks flagged; compare lines only within one panel (one job size).",
    "latency_breakdown":
        "Where the heavy request's time goes at each load level, as the server measured it: "
        "time waiting in the queue (for inline: for the event loop), running the job "
        "(service), and handing the result back until the response is written. Top: the mean "
        "of each part stacked (they add up to the job's mean time in the server; folders "
        "without the means show the p50s); bottom: each part's p99. Below capacity the "
        "service dominates; "
        "past it the queue wait grows until the queue is full and the server answers 503.",
    "hgrm_spectrum":
        "The full latency distribution at one load level, as wrk2 / HdrHistogram users draw "
        "it: x is the percentile on a 1/(1−q) scale, so 99%, 99.9% and 99.99% are as far "
        "apart as 50% and 90%; y is the latency. A flat line is a server whose tail is like "
        "its median; a line that rises at the right has a tail. Left the heavy request, "
        "right /hi; the title says which level and why that one.",
}
