"""How each pool scales with its size: heavy throughput, /hi p99 and the server tree's peak
memory against --workers, one line per pool (strategy and any other knob swept; with several
job sizes, one line per size too). Drawn only for a run that measured some pool at two sizes
or more (`offload-bench experiment --workers 1,2,4,8`); for any other run it raises NotDrawn.
"""
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from figure_parts import (OPEN_NOTE, MissingData, NotDrawn, aggregate, errorbar,
                          finish, log_125, ms_formatter, new_figure, repeats_note, rows,
                          strategy_colors, unique_legend)
from results_folder import human_bytes

# A second line of one strategy (worker_policy=idle beside normal, another FIB) is told
# from the first by its dashes and marker; the colour stays the strategy's.
STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D")]
REFERENCE = {"ls": (0, (4, 3)), "lw": 0.9, "alpha": 0.55}  # linear scaling from one worker


def job_size(row, loads):
    """'fib=30' or '64 KiB' for the load columns that vary in this run; '' when none does."""
    parts = []
    for c in loads:
        if pd.notna(row[c]):
            parts.append(f"fib={int(row[c])}" if c == "fib" else human_bytes(row[c]))
    return " ".join(parts)


def scaling_lines(res):
    """One row per configuration: config, strategy, workers and `group`, the name of its
    line here (its plotted line's name without the worker count, plus the job size when
    the run has several)."""
    s = res.summary
    if "workers" not in s.columns or "strategy" not in s.columns:
        raise MissingData("summary.csv lacks workers or strategy")
    configs = s.drop_duplicates("config")
    loads = [c for c in ("fib", "payload_bytes")
             if c in configs.columns and configs[c].nunique() > 1]
    groups = [" ".join(x for x in (res.line_label(r, skip=("workers",)), job_size(r, loads)) if x)
              for _, r in configs.iterrows()]
    out = configs[["config", "strategy", "workers"]].assign(group=groups)
    order = res.strategy_order()  # the server's list: inline, thread, process, uvpool
    return out.assign(_o=out["strategy"].map(order).fillna(len(order))) \
        .sort_values(["_o", "group", "workers"], kind="stable").drop(columns="_o")


def with_groups(df, lines):
    """df (rows with a config column) plus each configuration's group and pool size."""
    by_config = lines.set_index("config")
    return df.assign(group=df["config"].map(by_config["group"]),
                     workers=df["config"].map(by_config["workers"]))


def styles_of(res, pools):
    """{group: (colour, line style, marker)}: the strategy's colour, a style per group."""
    colors = strategy_colors(res)
    out, seen = {}, {}
    for group, st in pools.drop_duplicates("group")[["group", "strategy"]].itertuples(index=False):
        k = seen[st] = seen.get(st, -1) + 1
        ls, marker = STYLES[k % len(STYLES)]
        out[group] = (colors.get(st, "#7f7f7f"), ls, marker)
    return out


def draw_groups(ax, agg, styles):
    """Each group's means over workers with their error bars; returns the open intervals."""
    opened = 0
    for group, (color, ls, marker) in styles.items():
        a = agg[agg["group"] == group].sort_values("workers")
        if len(a):
            opened += errorbar(ax, a["workers"], a, color, group, ls=ls, marker=marker, lw=2)
    return opened


def workers_axis(ax, workers, cores):
    """Pool sizes on a log2 axis, ticks at the sizes measured; the machine's core count as
    a dotted line when it lies among them (past it, workers share cores)."""
    ax.set_xscale("log", base=2)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(workers, [f"{w:g}" for w in workers])
    octaves = np.log2(workers)
    span = octaves[-1] - octaves[0]
    # Two sizes close on a log axis (14 and 16 cores' worth) would print '1416': their
    # labels turn away from each other, each ending at its own tick.
    labels = ax.get_xticklabels()
    for i in np.flatnonzero(np.diff(octaves) < 0.08 * span):
        labels[i].set_horizontalalignment("right")
        labels[i + 1].set_horizontalalignment("left")
    pad = 2 ** max(0.06 * span, 0.1)
    ax.set_xlim(workers[0] / pad, workers[-1] * pad)
    if cores and min(workers) <= cores <= max(workers):
        ax.axvline(cores, color="#999999", ls=":", lw=1.2, label=f"the machine's {cores} cores")
    ax.set_xlabel("pool size (--workers, log scale)")
    ax.grid(True, alpha=0.3)


def plot_pool_scaling(res):
    heavy = rows(res, "heavy", "heavy+probe")
    probe = rows(res, "probe", "heavy+probe")
    if "rate_rps" not in heavy.columns or "p99_ms" not in probe.columns:
        raise MissingData("summary.csv lacks rate_rps or p99_ms")
    lines = scaling_lines(res)
    loop = res.loop_strategies()  # no pool: the reference line
    pools = lines[~lines["strategy"].isin(loop)]
    if pools.empty:
        with_pool = [st for st in res.strategies() if st not in loop]
        raise NotDrawn(f"no {', '.join(with_pool[:-1])}{' or ' if len(with_pool) > 1 else ''}"
                       f"{with_pool[-1] if with_pool else 'pool'} configuration: no pool to scale")
    if pools.groupby("group")["workers"].nunique().max() < 2:
        raise NotDrawn("one pool size per configuration: sweep --workers "
                       "(e.g. --workers 1,2,4,8) to draw it")
    styles = styles_of(res, pools)
    heavy, probe = with_groups(heavy, lines), with_groups(probe, lines)
    workers = sorted(pools["workers"].dropna().unique())
    cores = (res.meta.get("machine") or {}).get("cores")
    fig, axes = new_figure("pool_scaling", 1, 3)
    ax_rate, ax_p99, ax_mem = axes[0]

    # (a) heavy throughput, the linear reference from each pool's one-worker point, inline.
    rate = aggregate(heavy, ["group", "workers"], "rate_rps")
    draw_groups(ax_rate, rate, styles)
    tops, linear = list(rate["mean"].dropna()), False
    for group, (color, _ls, _m) in styles.items():
        a = rate[rate["group"] == group].sort_values("workers")
        one = a[a["workers"] == 1]["mean"]
        if len(one) and np.isfinite(one.iloc[0]) and len(a) > 1:
            ws = a["workers"].to_numpy(float)
            ax_rate.plot(ws, one.iloc[0] * ws, color=color, **REFERENCE)
            tops.append(one.iloc[0] * ws.max())
            linear = True
    colors = strategy_colors(res)
    on_loop = lines[lines["strategy"].isin(loop)].drop_duplicates("group")
    on_loop = dict(zip(on_loop["group"], on_loop["strategy"]))
    inline = rate[rate["group"].isin(set(on_loop))]
    for i, (group, v) in enumerate(inline[["group", "mean"]].itertuples(index=False)):
        ax_rate.axhline(v, color=colors.get(on_loop[group], "#7f7f7f"),
                        ls=(":", "-.", "--")[i % 3], lw=1.3,
                        label=f"{group}: {v:.0f} req/s (no pool)")
        tops.append(v)
    ax_rate.set_ylim(0, max(tops) * 1.1 if tops else None)
    ax_rate.set_ylabel("heavy GET / completed (req/s)")
    ax_rate.set_title("(a) heavy req/s under the /hi probe", fontsize=11)

    # (b) /hi p99 under load, the unloaded p99 for reference.
    p99 = aggregate(probe, ["group", "workers"], "p99_ms", "p99_lo_ms", "p99_hi_ms")
    opened = draw_groups(ax_p99, p99, styles)
    shown = list(p99["mean"].dropna())
    try:
        base = rows(res, "probe", "probe-only")
    except MissingData:
        base = None
    if base is not None and "p99_ms" in base.columns and base["p99_ms"].notna().any():
        v = float(base["p99_ms"].median())
        ax_p99.axhline(v, color="#555555", lw=1, label=f"/hi p99 with no heavy load ({v:.3g} ms)")
        shown.append(v)
    ax_p99.set_yscale("log")
    log_125(ax_p99.yaxis)
    ax_p99.yaxis.set_major_formatter(ms_formatter())
    shown = [x for x in shown if x > 0]
    if shown:  # from the values, not the error bars (as the other latency figures)
        ax_p99.set_ylim(min(shown) / 2.5, max(shown) * (5 if opened else 2.5))
    ax_p99.set_ylabel("/hi p99 under heavy load (log)")
    ax_p99.set_title("(b) /hi p99 under the heavy load", fontsize=11)

    # (c) peak RSS of the server and its worker processes.
    ax_mem.set_title("(c) peak RSS: server + its workers", fontsize=11)
    ax_mem.set_ylabel("peak RSS in the heavy + probe phase (MiB)")
    peak = peak_rss(res, pools["config"])
    if peak is None:
        ax_mem.text(0.5, 0.5, "resources.csv lacks rss_kb samples\nof the heavy + probe phase",
                    transform=ax_mem.transAxes, ha="center", va="center")
    else:
        draw_groups(ax_mem, aggregate(with_groups(peak, lines), ["group", "workers"], "rss_mib"),
                    styles)
        ax_mem.set_ylim(bottom=0)

    for ax in axes[0]:
        workers_axis(ax, workers, cores)
    hs, ls = unique_legend(axes[0])
    if linear:
        hs.append(Line2D([], [], color="#555555", **REFERENCE))
        ls.append("linear from one worker (its rate × pool size)")
    notes = ["heavy + probe phase", "x: workers in the pool, log scale", repeats_note(probe)]
    if opened:
        notes.append(OPEN_NOTE)
    return finish(fig, res, "Pool scaling: throughput, /hi p99 and memory vs the pool's size",
                  " · ".join(notes), legend=(hs, ls, min(len(ls), 5)))


def peak_rss(res, configs):
    """Per configuration and repeat: the largest sum of the server's and its workers' RSS
    over one sample time in the heavy + probe phase (rss_mib); None without samples."""
    if not res.has("resources", "config", "phase", "t_s", "role", "rss_kb"):
        return None
    r = res.resources
    d = r[(r["phase"] == "heavy+probe") & r["role"].isin(["server", "worker"])
          & r["config"].isin(set(configs))]
    if d.empty:
        return None
    keys = ["config", "repeat"] if "repeat" in d.columns else ["config"]
    tree = d.groupby(keys + ["t_s"])["rss_kb"].sum(min_count=1)
    peak = tree.groupby(keys).max().reset_index()
    return peak.assign(rss_mib=peak["rss_kb"] / 1024)


HOW_TO_READ = (
    "How each pool scales with its size (--workers), in the heavy + probe phase. Left: heavy "
    "jobs completed per second; the thin dashed line is perfect scaling from the pool's own "
    "one-worker rate, the red line the inline server (no pool) for reference. Middle: /hi p99 "
    "meanwhile, against the grey /hi p99 with no heavy load: a pool that takes every core "
    "leaves the event loop competing for one, which shows here. Right: the peak resident "
    "memory of the server and its worker processes: a process pool pays for one process per "
    "worker, a thread pool's workers share the server's. The dotted vertical line, where the "
    "sizes reach it, is the machine's core count.")
