"""What the figures share: fixed sizes, colours, titles and footer, phase bands, log
ticks a person can read, and the aggregation of repeats into means with 95% intervals.
"""
import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from results_folder import PHASE_LABELS, human_bytes, mean_ci

DPI = 100
# Inches at DPI: the PNGs are exactly (w * DPI) x (h * DPI) pixels; tests check it.
SIZES = {
    "heavy_throughput": (12, 5.5),
    "probe_baseline": (12, 5.5),
    "probe_latency_over_time": (12, 9),
    "responsiveness_vs_load": (12, 5.5),
    "resources_by_phase": (12, 6),
    "loop_lag_vs_latency": (12, 9),
    "tradeoff": (12, 7),
    "pool_scaling": (12, 5.5),
    "latency_vs_load": (12, 12),
    "latency_breakdown": (12, 8),
    "hgrm_spectrum": (12, 6.5),
}
# Strategy hues by position in the server's list of strategies (meta.json; an older folder:
# inline, thread, process, uvpool): red, blue, green, purple, so the four keep the colours
# their figures have always had; a fifth strategy takes the next hue.
STRATEGY_PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                    "#7f7f7f", "#bcbd22", "#17becf"]
PHASE_COLORS = {"idle-before": "#f2f2f2", "probe-only": "#dbe9f6", "heavy-only": "#fde8cf",
                "heavy+probe": "#f9d3d3", "idle-after": "#f2f2f2"}
LOG_FLOOR_MS = 0.001  # log axes cannot show 0; a measured 0 is drawn here (1 µs)


class MissingData(Exception):
    """The results folder lacks what a figure needs; the message says what."""


class NotDrawn(MissingData):
    """The run was not made for this figure (one pool size: nothing to scale): no fault of
    the folder; the message says what run would draw it."""


def absence(why):
    """How the report, the CLI and the notebook name a figure that is not there."""
    return "not drawn for this run" if isinstance(why, NotDrawn) else "left out"


def new_figure(name, nrows=1, ncols=1, **kw):
    fig = Figure(figsize=SIZES[name], dpi=DPI)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def finish(fig, res, title, subtitle=None, legend=None, top_labels=False, note=None):
    """Title, subtitle, an optional figure-wide legend under them, the footer and an
    optional note above it (under the axes); lays out the axes in what is left. Offsets are
    in inches so tall and short figures look alike."""
    h = fig.get_figheight()
    y = 0.12  # inches from the top edge, growing downwards
    fig.text(0.5, 1 - y / h, title, ha="center", va="top", fontsize=14, fontweight="bold")
    y += 0.32
    if subtitle:  # wrapped at the figure's width (about 13 characters an inch at 9.5 pt)
        lines = textwrap.wrap(subtitle, width=int(fig.get_figwidth() * 13))
        fig.text(0.5, 1 - y / h, "\n".join(lines), ha="center", va="top", fontsize=9.5,
                 color="#444444", linespacing=1.4)
        y += 0.08 + 0.19 * len(lines)
    if legend:
        box = fit_legend(fig, *legend, top=1 - y / h)
        y += box.height / fig.dpi + 0.1
    if top_labels:  # phase names printed above the first axes
        y += 0.15
    fig.text(0.01, 0.008, res.footer(), ha="left", va="bottom", fontsize=8, color="#666666")
    bottom = 0.22
    if note:
        lines = textwrap.wrap(note, width=int(fig.get_figwidth() * 14))
        fig.text(0.01, 0.2 / h, "\n".join(lines), ha="left", va="bottom", fontsize=9,
                 color="#333333", gid="note")
        bottom += 0.05 + 0.17 * len(lines)
    fig.tight_layout(rect=(0, bottom / h, 1, 1 - y / h))
    return fig


def fit_legend(fig, handles, labels, ncol, top):
    """A figure-wide legend centred under `top` (a figure fraction) in at most ncol columns,
    fewer where long labels would run past the figure's edges: each try is measured, as a
    label's width depends on its letters. Returns the legend's box in pixels."""
    room = fig.bbox.width - 0.2 * fig.dpi  # a tenth of an inch clear of each edge
    for n in range(max(1, min(ncol, len(labels))), 0, -1):
        leg = fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, top),
                         ncol=n, fontsize=9, frameon=False)
        box = leg.get_window_extent()
        if box.width <= room or n == 1:
            return box
        leg.remove()


def unique_legend(axes):
    """Handles and labels of all axes, each label once, in order."""
    seen, hs, ls = set(), [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                hs.append(h)
                ls.append(lab)
    return hs, ls


def with_gaps(d, window_col="window_s"):
    """Time-series rows plus a NaN row wherever windows are missing, so a line breaks there
    instead of joining two phases across a stretch with no measurement."""
    if len(d) < 2:
        return d
    t = d["t_s"].to_numpy(float)
    w = d[window_col].median() if window_col in d.columns else np.median(np.diff(t))
    if not np.isfinite(w) or w <= 0:
        return d
    breaks = np.where(np.diff(t) > 1.5 * w)[0]
    if not len(breaks):
        return d
    gaps = pd.DataFrame({"t_s": (t[breaks] + t[breaks + 1]) / 2})
    return pd.concat([d, gaps], ignore_index=True).sort_values("t_s", kind="stable")


def nice_log_ticks(axis, values):
    """1-2-5 ticks with plain labels on a log axis spanning few decades (matplotlib's own
    would label only the powers of ten: often a single '10^0')."""
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0], float)
    if not len(v):
        return
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    ticks = [m * 10.0 ** k for k in range(lo, hi + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if v.min() / 1.6 <= t <= v.max() * 1.6]
    if len(ticks) >= 2:
        axis.set_ticks(ticks)
        axis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:g}"))
        axis.set_minor_formatter(FuncFormatter(lambda x, _p: ""))


def strategy_colors(res):
    """{strategy: hue} by its position in the server's list (res.strategies())."""
    return {st: STRATEGY_PALETTE[i % len(STRATEGY_PALETTE)]
            for i, st in enumerate(res.strategies())}


def line_colors(res):
    """A colour per plotted line: its strategy's hue, so inline stays red and thread blue
    however many lines a sweep makes; several lines of one strategy get shades of it, light
    to dark in the order of lines() (workers=1 lightest)."""
    lines = res.lines()
    strategies = [ln.split(" ")[0] for ln in lines]
    by_strategy = strategy_colors(res)
    hues = {}
    for st in strategies:
        if st not in hues:
            hues[st] = by_strategy.get(st, "#7f7f7f")
    out = {}
    for st, hue in hues.items():
        own = [ln for ln, s in zip(lines, strategies) if s == st]
        for i, ln in enumerate(own):
            out[ln] = shade(hue, i / (len(own) - 1) if len(own) > 1 else 0.5)
    return out


def shade(color, t):
    """color from light (t=0: halfway to white) through itself (t=0.5) to dark (t=1: 40%
    of the way to black), as a hex string."""
    rgb = np.array(to_rgb(color))
    mixed = rgb + (1 - rgb) * (1 - 2 * t) * 0.5 if t < 0.5 else rgb * (1 - (2 * t - 1) * 0.4)
    return to_hex(mixed)


def ms_formatter():
    def fmt(v, _pos):
        if v <= 0:
            return "0"
        if v >= 1000:
            return f"{v / 1000:g} s"
        return f"{v:g} ms" if v >= 0.01 else f"{v * 1000:g} µs"
    return FuncFormatter(fmt)


class ReadableLogLocator(LogLocator):
    """Labelled ticks at 1-2-5 per decade over a short range, 1-3 over a medium one, decades
    over a long one: as many values as a reader can use without the labels crowding."""

    def tick_values(self, vmin, vmax):
        if vmin > 0 and vmax > 0:
            decades = abs(math.log10(vmax / vmin))
            self.set_params(subs=(1, 2, 5) if decades <= 2.6 else
                            (1, 3) if decades <= 4.2 else (1.0,))
        ticks = super().tick_values(vmin, vmax)
        # On a short axis matplotlib strides over decades, and then drops every tick of a
        # locator with several subs (a rule meant for minor ticks): fall back to decades.
        if len(ticks) == 0:
            self.set_params(subs=(1.0,))
            ticks = super().tick_values(vmin, vmax)
        return ticks


def log_125(axis):
    """Readable labelled major ticks and no minor ticks: easier to read than decades alone,
    and far cheaper to lay out than matplotlib's eight minors a decade."""
    axis.set_major_locator(ReadableLogLocator(base=10, subs=(1, 2, 5)))
    axis.set_minor_locator(NullLocator())


def positive(values):
    """Latencies for a log axis: a measured 0 (below resolution) goes to the floor, NaN stays."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    return v.where(v.isna() | (v > 0), LOG_FLOOR_MS)


def headroom(ax, factor=6):
    """Room above the data on a log axis for the in-panel legend (axes share y)."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi * factor)


SHORT_PHASE_LABELS = {"idle-before": "idle", "probe-only": "probe", "heavy-only": "heavy",
                      "heavy+probe": "heavy+\nprobe", "idle-after": "idle"}


def shade_phases(ax, spans, label=False):
    """Phases as coloured bands; with label, their names above the axes (short names for
    narrow bands, so neighbours do not overprint). White gaps: time between phases."""
    if not spans:
        return
    total = max(e for _, _, e in spans) - min(s for _, s, _ in spans)
    for phase, start, end in spans:
        ax.axvspan(start, end, color=PHASE_COLORS.get(phase, "#eeeeee"), zorder=0, lw=0)
        if label:
            narrow = total > 0 and (end - start) / total < 0.12
            text = (SHORT_PHASE_LABELS if narrow else PHASE_LABELS).get(phase, phase)
            ax.text((start + end) / 2, 1.01, text, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8 if narrow else 8.5, color="#333333",
                    clip_on=False)


def need(res, table, *cols):
    if not res.has(table, *cols):
        df = getattr(res, table)
        if df is None:
            raise MissingData(f"{table}.csv is missing")
        lacking = [c for c in cols if c not in df.columns]
        raise MissingData(f"{table}.csv lacks {', '.join(lacking)}" if lacking
                          else f"{table}.csv has no rows")
    return getattr(res, table)


def rows(res, stream, phase):
    s = need(res, "summary", "stream", "phase", "config")
    sel = s[(s["stream"] == stream) & (s["phase"] == phase)]
    if sel.empty:
        raise MissingData(f"summary.csv has no '{stream}' rows in phase '{phase}'")
    return res.with_lines(sel)


def repeats_note(df, by="config", what="repeats", percentile=True):
    """How the error bars of an aggregated plot were made, for its subtitle."""
    n = df.groupby(by).size().max() if len(df) else 0
    if n and n >= 2:
        return f"error bars: 95% CI of the mean of {n} {what}"
    if percentile:
        return "error bars: the percentile's own 95% CI"
    return "one run per point: no error bars"


OPEN_NOTE = "↑: too few samples for the CI's upper bound"


def aggregate(df, by, col, lo=None, hi=None):
    """Rows per group in `by`: mean of `col`, its error (low, high) and the x of the group.

    With repeats, the error is the 95% CI of the mean across repeats. With one repeat and
    `lo`/`hi` columns (a percentile's own CI), the error is that interval. NaN otherwise.
    """
    out = []
    for key, g in df.groupby(by if len(by) > 1 else by[0], sort=False, dropna=False):
        m, half, n = mean_ci(g[col]) if col in g.columns else (math.nan, math.nan, 0)
        el = eh = half
        if n == 1 and lo in g.columns and hi in g.columns:
            gl, gh = g[lo].dropna(), g[hi].dropna()
            el = m - float(gl.iloc[0]) if len(gl) else math.nan
            eh = float(gh.iloc[0]) - m if len(gh) else math.nan
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        row.update(mean=m, err_lo=max(el, 0) if el == el else el,
                   err_hi=max(eh, 0) if eh == eh else eh, n=n)
        out.append(row)
    return pd.DataFrame(out)


def errorbar(ax, x, agg, color, label, **kw):
    """A line through the means (NaN: a gap, not a zero) with error bars where known; an
    interval known below but open above (too few samples) gets an upward arrow (log axes).
    Returns how many such open intervals it drew."""
    x = np.asarray(x, float)
    y = agg["mean"].to_numpy(float)
    yerr = np.vstack([agg["err_lo"].to_numpy(float), agg["err_hi"].to_numpy(float)])
    ok = np.isfinite(y) & np.isfinite(x)
    ax.plot(x, y, color=color, label=label, **kw)
    if ok.any():
        err = np.where(np.isnan(yerr[:, ok]), 0, yerr[:, ok])
        ax.errorbar(x[ok], y[ok], yerr=err, color=color, ls="none", capsize=3, elinewidth=1,
                    alpha=kw.get("alpha", 1.0))
    open_above = ok & np.isfinite(yerr[0]) & np.isnan(yerr[1])
    for xi, yi in zip(x[open_above], y[open_above]):
        ax.annotate("", xy=(xi, yi * 1.6), xytext=(xi, yi), annotation_clip=False,
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1,
                                "alpha": kw.get("alpha", 1.0), "shrinkA": 0, "shrinkB": 0})
    return int(open_above.sum())


def load_x(res, df, axis_col):
    """x value of each (line, config) for one load axis: the config's mean of that column."""
    return df.groupby("config")[axis_col].mean()


def per_load_point(res, df, col, lo=None, hi=None):
    """Aggregate df (one row per config x repeat) per (line, config)."""
    return aggregate(df, ["line", "config"], col, lo, hi)


def draw_vs_load(res, axes_row, df, col, colors, lo=None, hi=None, style=None, suffix=""):
    """One line per plotted line over each load axis (FIB / payload / job cost)."""
    agg = per_load_point(res, df, col, lo, hi)
    lines = res.lines()
    open_intervals = 0
    for ax, (axis_col, label, log) in zip(axes_row, res.load_axes()):
        xs = load_x(res, df, axis_col)
        # FIB values are shared by every line: nudge lines apart so their bars stay visible.
        fibs = np.unique(xs.dropna().to_numpy(float))
        step = float(np.diff(fibs).min()) if len(fibs) > 1 else 1.0
        for i, line in enumerate(lines):
            a = agg[agg["line"] == line].copy()
            if a.empty:
                continue
            a["x"] = a["config"].map(xs)
            a = a.dropna(subset=["x"]).sort_values("x")
            if a.empty:
                continue
            x = a["x"].to_numpy(float)
            if axis_col == "fib":
                x = x + (i - (len(lines) - 1) / 2) * 0.04 * step
            open_intervals += errorbar(ax, x, a, colors[line], f"{line}{suffix}",
                                       **(style or {"marker": "o"}))
        ax.set_xlabel(label)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_minor_locator(NullLocator())
            nice_log_ticks(ax.xaxis, xs.to_numpy(float))
        if axis_col == "payload_bytes":  # the sizes swept, named as a person would: 64 KiB
            ticks = sorted(set(xs.dropna().to_numpy(float)))
            ax.set_xticks(ticks, [human_bytes(t) for t in ticks])
        if axis_col == "fib" and len(fibs):  # whole FIBs only, with room for the nudges
            ax.set_xlim(fibs.min() - 0.5 * step, fibs.max() + 0.5 * step)
            if len(fibs) <= 12:
                ax.set_xticks(fibs, [f"{f:g}" for f in fibs])
            else:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    return open_intervals


def load_axes_or_fail(res):
    axes = res.load_axes()
    if not axes:
        raise MissingData("summary.csv has no fib, payload_bytes or job_cost_ms values")
    return axes
