"""The figures of a results folder (the trade-off lives in figure_tradeoff.py, the pool
scaling in figure_pool_scaling.py), as matplotlib Figures (no pyplot: no GUI, no state).

Each plot_* function takes a Results and returns a Figure of a fixed pixel size (SIZES), or
raises MissingData with a one-line reason when the folder lacks what it needs (NotDrawn when
the run was not made for the figure: SWEEP_ONLY). Percentiles the harness left empty stay
NaN: a gap in a line, 'n/a' on a bar, never a zero.
"""
import math

import numpy as np
import pandas as pd
from matplotlib.ticker import NullLocator

from figure_parts import (DPI, OPEN_NOTE, SIZES, MissingData, NotDrawn, aggregate,
                          draw_vs_load, finish, headroom, line_colors, load_axes_or_fail,
                          log_125, ms_formatter, need, new_figure, nice_log_ticks, positive,
                          repeats_note, rows, shade_phases, unique_legend, with_gaps)
from figure_load import HOW_TO_READ as LOAD_HOW_TO_READ
from figure_load import (LEVELS_ONLY, plot_hgrm_spectrum, plot_latency_breakdown,
                         plot_latency_vs_load)
from figure_pool_scaling import HOW_TO_READ as POOL_SCALING_HOW_TO_READ
from figure_pool_scaling import plot_pool_scaling
from figure_tradeoff import HOW_TO_READ as TRADEOFF_HOW_TO_READ
from figure_tradeoff import plot_tradeoff
from results_folder import PHASE_LABELS, PHASES

__all__ = ["DPI", "SIZES", "MissingData", "NotDrawn", "PLOTS", "SWEEP_ONLY", "LEVELS_ONLY",
           "HOW_TO_READ"]


# ---- 1. heavy throughput vs load ---------------------------------------------------------------
def plot_heavy_throughput(res):
    df = rows(res, "heavy", "heavy-only")
    if "rate_rps" not in df.columns:
        raise MissingData("summary.csv lacks rate_rps")
    n = len(load_axes_or_fail(res))
    fig, axes = new_figure("heavy_throughput", 1, n, sharey=True)
    draw_vs_load(res, axes[0], df, "rate_rps", line_colors(res))
    axes[0][0].set_ylabel("heavy GET / completed (req/s)")
    rates = df["rate_rps"][df["rate_rps"] > 0]
    wide = len(rates) and rates.max() / rates.min() > 20
    for ax in axes[0]:
        # Limits from the measured rates, not the error bars: two noisy repeats give a CI
        # that would squash every line flat; such a bar runs off the edge instead.
        if wide:  # a FIB sweep spans decades of throughput: a log axis shows every point
            ax.set_yscale("log")
            ax.yaxis.set_minor_locator(NullLocator())
            nice_log_ticks(ax.yaxis, rates.to_numpy(float))
            ax.set_ylim(rates.min() / 1.6, rates.max() * 1.6)
        elif len(rates):
            ax.set_ylim(0, rates.max() * 1.15)
        else:
            ax.set_ylim(bottom=0)
    return finish(fig, res, "Heavy throughput vs load: jobs completed per second (heavy-only phase)",
                  "higher is better · " + ("log scale · " if wide else "")
                  + repeats_note(df, percentile=False),
                  legend=(*unique_legend(axes[0]), 6))


# ---- 2. /hi baseline with no heavy load --------------------------------------------------------
def plot_probe_baseline(res):
    df = rows(res, "probe", "probe-only")
    colors = line_colors(res)
    lines = [ln for ln in res.lines() if ln in set(df["line"])]
    fig, axes = new_figure("probe_baseline", 1, 2, gridspec_kw={"width_ratios": [1, 2]})
    ax_rate, ax_lat = axes[0]
    x = np.arange(len(lines))
    rate = aggregate(df, ["line"], "rate_rps").set_index("line").reindex(lines)
    bars_with_values(ax_rate, x, rate, [colors[ln] for ln in lines], 0.6, "{:.0f}")
    asked = probe_rate_asked(res)
    if asked:
        ax_rate.axhline(asked, color="k", ls="--", lw=1, label=f"asked rate {asked:g} req/s")
        ax_rate.legend(fontsize=8, loc="lower right")
    ax_rate.set_xticks(x, lines)
    ax_rate.set_ylabel("/hi completed (req/s)")
    ax_rate.set_title("achieved /hi rate", fontsize=11)
    # Latency as points on a log axis: p50 and p99 differ by 10-1000x, and one slow run
    # must not flatten the others' bars into the floor.
    opened, shown = 0, []
    for i, (col, marker, filled) in enumerate((("p50_ms", "o", True), ("p99_ms", "s", False))):
        if col not in df.columns:
            continue
        lo, hi = col.replace("_ms", "_lo_ms"), col.replace("_ms", "_hi_ms")
        agg = aggregate(df, ["line"], col, lo, hi).set_index("line").reindex(lines)
        opened += points_with_values(ax_lat, x + (i - 0.5) * 0.3, agg,
                                     [colors[ln] for ln in lines], marker, filled)
        shown.append(agg["mean"])
    ax_lat.set_yscale("log")
    log_125(ax_lat.yaxis)
    ax_lat.yaxis.set_major_formatter(ms_formatter())
    vals = pd.concat(shown).astype(float) if shown else pd.Series(dtype=float)
    vals = vals[vals > 0]
    if len(vals):
        ax_lat.set_ylim(vals.min() / 3, vals.max() * 3)
    ax_lat.set_xticks(x, lines)
    ax_lat.set_xlim(-0.6, len(lines) - 0.4)
    ax_lat.set_ylabel("/hi latency (log)")
    ax_lat.set_title("/hi latency: p50 (filled circle) and p99 (open square)", fontsize=11)
    ax_rate.set_ylim(bottom=0)
    for ax in (ax_rate, ax_lat):
        ax.grid(True, axis="y", alpha=0.3)
    return finish(fig, res, "/hi baseline: the cheap endpoint with no heavy load (probe-only phase)",
                  "lower is better · probe-only phases of all load points pooled · "
                  + repeats_note(df, "line", "runs") + (" · " + OPEN_NOTE if opened else ""))


def points_with_values(ax, x, agg, colors, marker, filled):
    """One point per line with its error bar and value; 'n/a' at the bottom for a missing
    value, an arrow for an interval open above. Returns how many were open above."""
    y = agg["mean"].to_numpy(float)
    yerr = np.vstack([agg["err_lo"].to_numpy(float), agg["err_hi"].to_numpy(float)])
    opened = 0
    for xi, yi, el, eh, c in zip(x, y, yerr[0], yerr[1], colors):
        if np.isnan(yi):
            ax.text(xi, 0.02, "n/a", transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=9, color="#aa0000")
            continue
        err = [[0 if np.isnan(el) else min(el, yi * 0.999)], [0 if np.isnan(eh) else eh]]
        ax.errorbar([xi], [yi], yerr=err, marker=marker, ms=8, color=c, capsize=4,
                    mfc=c if filled else "white", mew=1.8, ls="none")
        if np.isfinite(el) and np.isnan(eh):
            opened += 1
            ax.annotate("", xy=(xi, yi * 1.8), xytext=(xi, yi), annotation_clip=False,
                        arrowprops={"arrowstyle": "-|>", "color": c, "lw": 1,
                                    "shrinkA": 0, "shrinkB": 0})
        ax.annotate(f"{yi:.3g}", (xi, yi), xytext=(8, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8)
    return opened


def probe_rate_asked(res):
    params = res.meta.get("params") or {}
    for k in ("probe_rate", "probe_rate_rps", "probe-rate", "rate"):
        v = params.get(k)
        if isinstance(v, (int, float)) and v > 0:
            return float(v)
    return None


def bars_with_values(ax, x, agg, colors, width, fmt, alpha=1.0, hatch="", label=None):
    """Bars with error bars and their value on top; 'n/a' for a missing value, '↑' after the
    value when its interval is open above. Returns how many were open above."""
    y = agg["mean"].to_numpy(float)
    yerr = np.vstack([agg["err_lo"].to_numpy(float), agg["err_hi"].to_numpy(float)])
    open_above = np.isfinite(y) & np.isfinite(yerr[0]) & np.isnan(yerr[1])
    yerr = np.where(np.isnan(yerr), 0, yerr)
    ax.bar(x, np.nan_to_num(y), width, color=colors, alpha=alpha, hatch=hatch, yerr=yerr,
           capsize=3, edgecolor="#333333", lw=0.6, label=label)
    for xi, yi, top, op in zip(x, y, yerr[1], open_above):
        if np.isnan(yi):
            ax.text(xi, 0, "n/a", ha="center", va="bottom", fontsize=9, color="#aa0000")
        else:  # above the error bar, so the two never overlap
            ax.annotate(fmt.format(yi) + (" ↑" if op else ""), (xi, yi + top), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8)
    return int(open_above.sum())


# ---- 3. /hi latency over time ---------------------------------------------------------------------
def over_time_panels(res, name):
    reps = res.representative_configs()
    if not reps:
        raise MissingData("summary.csv names no configuration")
    fig, axes = new_figure(name, len(reps), 1, sharex=True, sharey=True)
    return fig, [a[0] for a in axes], reps


def plot_probe_latency_over_time(res):
    se = need(res, "series", "stream", "t_s", "config")
    probe = se[se["stream"] == "probe"]
    if probe.empty:
        raise MissingData("series.csv has no 'probe' rows")
    fig, axes, reps = over_time_panels(res, "probe_latency_over_time")
    colors = line_colors(res)
    for i, (ax, (line, config, repeat)) in enumerate(zip(axes, reps)):
        shade_phases(ax, res.phase_spans(config, repeat), label=(i == 0))
        d = with_gaps(res.of_run(probe, config, repeat).sort_values("t_s"))
        c = colors[line]
        if "max_ms" in d.columns:
            ax.plot(d["t_s"], positive(d["max_ms"]), ".", color=c, alpha=0.35, ms=4,
                    label="max")
        if "p99_ms" in d.columns:
            ax.plot(d["t_s"], positive(d["p99_ms"]), "-", marker=".", color=c, lw=1.6,
                    label="p99")
        if "p50_ms" in d.columns:
            ax.plot(d["t_s"], positive(d["p50_ms"]), "--", color=c, lw=1.2, alpha=0.8,
                    label="p50")
        ax.set_yscale("log")
        log_125(ax.yaxis)
        ax.yaxis.set_major_formatter(ms_formatter())
        name, box = panel_names(line, "/hi latency")
        ax.set_ylabel(name)
        ax.text(0.995, 0.96, box + res.load_text(config) + f", repeat {repeat}", ha="right",
                va="top", transform=ax.transAxes, fontsize=8.5,
                bbox={"fc": "white", "ec": "none", "alpha": 0.7})
        ax.grid(True, which="major", alpha=0.3)
        if d.empty:
            ax.text(0.5, 0.5, "no /hi windows recorded", transform=ax.transAxes, ha="center")
        else:
            ax.legend(loc="upper left", fontsize=8, ncol=3)
    headroom(axes[0])
    axes[-1].set_xlabel("time since the server started (s); one point per 500 ms window")
    return finish(fig, res, "/hi latency over time, per strategy (open-loop probe, log scale)",
                  "shaded: phases · gaps: no probe in that phase, or too few requests in a window "
                  "for that percentile · each strategy at its heaviest load point",
                  top_labels=True)


def panel_names(line, what):
    """(y label, prefix of the in-panel note) for one line's panel: a short line name
    ('thread') goes on the y axis; a long one ('thread worker_nice=19', from a knob sweep)
    would overrun a short panel's side, so it leads the note inside the panel instead."""
    if len(line) <= 12:
        return f"{line}\n{what}", ""
    return what, f"{line} · "


# ---- 4. responsiveness vs load -------------------------------------------------------------------
def plot_responsiveness_vs_load(res):
    df = rows(res, "probe", "heavy+probe")
    if "p99_ms" not in df.columns:
        raise MissingData("summary.csv lacks p99_ms")
    n = len(load_axes_or_fail(res))
    fig, axes = new_figure("responsiveness_vs_load", 1, n, sharey=True)
    colors = line_colors(res)
    opened = draw_vs_load(res, axes[0], df, "p99_ms", colors, "p99_lo_ms", "p99_hi_ms",
                          {"marker": "o", "lw": 2}, " p99")
    if "p50_ms" in df.columns:
        opened += draw_vs_load(res, axes[0], df, "p50_ms", colors, "p50_lo_ms", "p50_hi_ms",
                               {"marker": "s", "ls": "--", "lw": 1, "ms": 4, "alpha": 0.7},
                               " p50")
    try:
        base = rows(res, "probe", "probe-only")
    except MissingData:
        base = None
    for ax in axes[0]:
        ax.set_yscale("log")
        log_125(ax.yaxis)
        ax.yaxis.set_major_formatter(ms_formatter())
        if base is not None:
            for col, ls in (("p99_ms", "-"), ("p50_ms", "--")):
                if col in base.columns and base[col].notna().any():
                    v = float(base[col].median())
                    ax.axhline(v, color="#555555", ls=ls, lw=1, alpha=0.8,
                               label=f"unloaded {col[:3]} ({v:.3g} ms)")
    axes[0][0].set_ylabel("/hi latency under heavy load (log)")
    # Limits from the values, not the error bars: with two or three repeats a 95% CI can
    # reach down to ~0, which on a log axis would squash every line into the top decade.
    # Such bars run off the bottom edge instead.
    shown = [df[c] for c in ("p99_ms", "p50_ms") if c in df.columns]
    if base is not None:
        shown += [base[c] for c in ("p99_ms", "p50_ms") if c in base.columns]
    vals = pd.concat(shown).astype(float)
    vals = vals[vals > 0]
    if len(vals):
        axes[0][0].set_ylim(vals.min() / 2.5, vals.max() * (5 if opened else 2.5))
    hs, ls = unique_legend(axes[0])
    return finish(fig, res, "Responsiveness vs load: /hi latency while the heavy load runs",
                  "heavy + probe phase · lower is better · grey: /hi with no heavy load "
                  "(median of all configurations) · " + repeats_note(df)
                  + (" · " + OPEN_NOTE if opened else ""),
                  legend=(hs, ls, min(len(ls), 5)))


# ---- 5. RAM and CPU by phase ------------------------------------------------------------------------
def plot_resources_by_phase(res):
    r = need(res, "resources", "config", "phase", "t_s", "role")
    reps = res.representative_configs()
    if not reps:
        raise MissingData("summary.csv names no configuration")
    colors = line_colors(res)
    fig, axes = new_figure("resources_by_phase", 1, 2)
    ax_mem, ax_cpu = axes[0]
    phases = [p for p in PHASES if p in set(r["phase"])] + \
        sorted(set(r["phase"]) - set(PHASES) - {""})
    width = 0.8 / len(reps)
    x = np.arange(len(phases))
    for i, (line, config, _repeat) in enumerate(reps):
        d = r[r["config"] == config].copy()
        d["who"] = np.where(d["role"] == "machine", "machine",
                            np.where(d["role"] == "server", "server", "workers"))
        keys = ["repeat", "phase", "t_s", "who"] if "repeat" in d.columns else \
            ["phase", "t_s", "who"]
        cols = [c for c in ("rss_kb", "cpu_pct") if c in d.columns]
        per_sample = d.groupby(keys)[cols].sum(min_count=1).reset_index()
        mean = per_sample.groupby(["phase", "who"])[cols].mean()
        xi = x - 0.4 + width * (i + 0.5)
        for ax, col, scale in ((ax_mem, "rss_kb", 1 / 1024), (ax_cpu, "cpu_pct", 1)):
            if col not in cols:
                ax.text(0.5, 0.5, f"resources.csv lacks {col}", transform=ax.transAxes,
                        ha="center")
                continue
            srv = np.array([value(mean, p, "server", col) * scale for p in phases])
            wrk = np.array([value(mean, p, "workers", col) * scale for p in phases])
            ax.bar(xi, np.nan_to_num(srv), width, color=colors[line], edgecolor="#333333",
                   lw=0.5, label=f"{line}: server")
            if np.nansum(wrk) > 0:
                ax.bar(xi, np.nan_to_num(wrk), width, bottom=np.nan_to_num(srv),
                       color=colors[line], alpha=0.45, hatch="//", edgecolor="#333333", lw=0.5,
                       label=f"{line}: workers")
            if col == "cpu_pct":
                mach = np.array([value(mean, p, "machine", col) for p in phases])
                ax.plot(xi, mach, "_", color="k", ms=width * 60, mew=2,
                        label="whole machine" if i == 0 else None)
    cores = (res.meta.get("machine") or {}).get("cores")
    ax_mem.set_ylabel("resident memory, RSS (MiB)")
    ax_mem.set_title("RAM: server and its worker processes", fontsize=11)
    ax_cpu.set_ylabel("CPU (% of one core)" + (f"; machine max {100 * int(cores)}%"
                                               if cores else ""))
    ax_cpu.set_title("CPU: server, workers and whole machine (black bar)", fontsize=11)
    for ax in (ax_mem, ax_cpu):
        ax.set_xticks(x, [PHASE_LABELS.get(p, p) for p in phases], fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_ylim(bottom=0)
    hs, ls = unique_legend([ax_mem, ax_cpu])
    return finish(fig, res, "RAM and CPU before, during and after the heavy load",
                  "mean of 500 ms samples per phase, each strategy at its heaviest load point · "
                  "solid: server process (all its threads) · hatched: worker processes",
                  legend=(hs, ls, min(len(ls), 7)))


def value(mean, phase, who, col):
    try:
        return float(mean.loc[(phase, who), col])
    except KeyError:
        return math.nan


# ---- 6. event-loop lag next to /hi latency --------------------------------------------------------
def plot_loop_lag_vs_latency(res):
    m = need(res, "metrics", "config", "t_s")
    lag_cols = [c for c in ("loop_lag_p99_ms", "loop_lag_max_ms") if c in m.columns]
    if not lag_cols:
        raise MissingData("metrics.csv lacks loop_lag_p99_ms and loop_lag_max_ms")
    se = res.series
    fig, axes, reps = over_time_panels(res, "loop_lag_vs_latency")
    colors = line_colors(res)
    for i, (ax, (line, config, repeat)) in enumerate(zip(axes, reps)):
        shade_phases(ax, res.phase_spans(config, repeat), label=(i == 0))
        c = colors[line]
        d = with_gaps(res.of_run(m, config, repeat).sort_values("t_s"), "_no_window_column")
        if "loop_lag_p99_ms" in d.columns:
            ax.plot(d["t_s"], positive(d["loop_lag_p99_ms"]), "-", marker=".", ms=4, color="k",
                    lw=1.4, label="server: loop lag p99")
        if "loop_lag_max_ms" in d.columns:
            ax.plot(d["t_s"], positive(d["loop_lag_max_ms"]), ":", color="k", lw=1,
                    label="server: loop lag max")
        if se is not None and {"stream", "t_s", "p99_ms"} <= set(se.columns):
            p = with_gaps(res.of_run(se[se["stream"] == "probe"], config, repeat)
                          .sort_values("t_s"))
            ax.plot(p["t_s"], positive(p["p99_ms"]), "-", marker=".", color=c, lw=1.6,
                    label="client: /hi p99")
        ax.set_yscale("log")
        log_125(ax.yaxis)
        ax.yaxis.set_major_formatter(ms_formatter())
        name, box = panel_names(line, "latency / lag")
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        if "loop_utilisation" in d.columns and d["loop_utilisation"].notna().any():
            tw = ax.twinx()
            tw.plot(d["t_s"], d["loop_utilisation"].astype(float), "-", color="#8c564b",
                    lw=1, alpha=0.8, label="loop utilisation (right axis)")
            tw.set_ylim(0, 1.6)  # keeps a fully busy loop (1.0) below the legend
            tw.set_yticks([0, 0.25, 0.5, 0.75, 1])
            tw.set_ylabel("loop busy (0–1)", color="#8c564b", fontsize=9)
            tw.tick_params(axis="y", colors="#8c564b", labelsize=8)
            h1, l1 = ax.get_legend_handles_labels()
            h2, l2 = tw.get_legend_handles_labels()
            ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, ncol=4)
        else:
            ax.legend(loc="upper left", fontsize=8, ncol=3)
        ax.text(0.995, 0.96, box + res.load_text(config) + f", repeat {repeat}", ha="right",
                va="top", transform=ax.transAxes, fontsize=8.5,
                bbox={"fc": "white", "ec": "none", "alpha": 0.7})
    headroom(axes[0])
    axes[-1].set_xlabel("time since the server started (s); one point per /metrics scrape "
                        "(500 ms)")
    return finish(fig, res, "Event-loop lag (server, from /metrics) next to /hi latency (client)",
                  "lag: how late the server loop's periodic timer fired · a /hi request waits "
                  "at least that long · shaded: phases · log scale", top_labels=True)


# The load-level figures first: with load levels they are the run's answer. For a run
# without levels (an older harness, --load none) they raise NotDrawn (LEVELS_ONLY).
PLOTS = [
    ("latency_vs_load", plot_latency_vs_load),
    ("latency_breakdown", plot_latency_breakdown),
    ("hgrm_spectrum", plot_hgrm_spectrum),
    ("heavy_throughput", plot_heavy_throughput),
    ("probe_baseline", plot_probe_baseline),
    ("probe_latency_over_time", plot_probe_latency_over_time),
    ("responsiveness_vs_load", plot_responsiveness_vs_load),
    ("tradeoff", plot_tradeoff),
    ("pool_scaling", plot_pool_scaling),
    ("resources_by_phase", plot_resources_by_phase),
    ("loop_lag_vs_latency", plot_loop_lag_vs_latency),
]
# Drawn only for a run that swept what they compare; for any other run they raise NotDrawn.
SWEEP_ONLY = {"pool_scaling"}

# What each figure answers and how to read it: shown under it in the report.
HOW_TO_READ = {
    **LOAD_HOW_TO_READ,
    "tradeoff": TRADEOFF_HOW_TO_READ,
    "pool_scaling": POOL_SCALING_HOW_TO_READ,
    "heavy_throughput":
        "How many heavy jobs (GET /) each strategy completes per second when only the heavy "
        "load runs. The left panel's x axis is the load knob (FIB, or the payload size for "
        "gpg); the right one the measured cost of one job in milliseconds, which puts fib and "
        "gpg, and different machines, on one scale. Inline can use one core; thread and "
        "process pools can use all of them.",
    "probe_baseline":
        "The cheap endpoint /hi with no heavy load: the reference every loaded figure is "
        "compared against. The probe is open loop (a fixed arrival rate), so its achieved rate "
        "should match the asked rate; latency is measured from the intended send time.",
    "probe_latency_over_time":
        "One panel per strategy: /hi latency in each 500 ms window through the whole run, on a "
        "log scale. The shaded bands are the phases. A strategy that keeps its heavy work off "
        "the event loop keeps the line flat through the red band (heavy + probe); inline shows "
        "/hi waiting behind whole jobs. Gaps are windows with too few samples.",
    "responsiveness_vs_load":
        "The main comparison: /hi p99 (solid) and p50 (dashed) while the heavy load runs, as "
        "the load grows. The grey lines are /hi with no heavy load: the closer a strategy stays "
        "to them, the better it protects the cheap endpoint.",
    "resources_by_phase":
        "Memory and CPU of the server process and its worker processes, averaged per phase: "
        "what the heavy load costs and whether memory returns after it (idle after vs before). "
        "CPU is in % of one core; the black bar is the whole machine.",
    "loop_lag_vs_latency":
        "The server's own view next to the client's: how late the event loop's periodic timer "
        "fired (from /metrics) and /hi p99 measured by the client. When they rise together the "
        "loop itself is blocked (inline); client latency without loop lag points at queueing "
        "elsewhere (CPU contention, the network stack, the client).",
}
