"""The trade-off in one picture (issue 7): each configuration's /hi p99 under heavy load (y,
log) against its heavy throughput in the same phase (x), one labelled point per
configuration. With SLOs (`offload-bench experiment --slo ...`) a filled point passed every
objective in every repeat and a hollow one failed; the chosen configuration is ringed, and
the objectives the axes can show (hi.p99 and heavy.rps bounds) are drawn as lines.
"""
import math

import numpy as np
from matplotlib.lines import Line2D

from figure_parts import (OPEN_NOTE, MissingData, aggregate, finish, log_125,
                          ms_formatter, new_figure, repeats_note, rows, strategy_colors)
from load_levels import size_of

LABEL_PT = 8  # font size of the point labels
# Past this many points their labels no longer fit beside them: the points get numbers and a
# key beside the plot names them, with their figures.
KEY_ABOVE = 12
# With several job sizes, each gets a marker shape: points are comparable within one shape.
SIZE_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "h"]


def size_markers(res, configs):
    """({config: marker}, [(size label, marker)]): one shape per workload and job size,
    smallest job first; all 'o' (and no key) when the run has one size."""
    first = res.summary.drop_duplicates("config").set_index("config")
    keyed = {c: size_of(first.loc[c]) for c in configs if c in first.index}
    sizes = sorted(set(keyed.values()))
    if len(sizes) < 2:
        return {c: "o" for c in configs}, []
    shape = {s: SIZE_MARKERS[i % len(SIZE_MARKERS)] for i, s in enumerate(sizes)}
    return ({c: shape.get(keyed.get(c), "o") for c in configs},
            [(label, shape[(k, label)]) for k, label in sizes])


def short_labels(configs, strategies=()):
    """Labels without the '-'-separated parts every configuration shares (fib30, w2, ...),
    so a sweep's points read 'thread-nice19' rather than 'thread-fib30-w2-nice19'. Returns
    ({config: short}, [dropped parts])."""
    parts = {c: c.split("-") for c in configs}
    common = set.intersection(*(set(p) for p in parts.values())) if len(parts) > 1 else set()
    # A strategy's name is never dropped: it says what the point is. (A label starts with it.)
    common -= set(strategies) | {p[0] for p in parts.values()}
    short = {c: "-".join(x for x in p if x not in common) or c for c, p in parts.items()}
    if len(set(short.values())) < len(short):  # dropping made two alike: keep them whole
        return {c: c for c in configs}, []
    return short, sorted(common)


def place_labels(ax, points, fontsize=LABEL_PT):
    """Writes each point's label beside it where it overlaps neither an earlier label nor a
    point: a few candidate offsets are tried in turn (first fit, in display pixels, after
    the layout is final). `points` is [(x, y, text, marker radius in points)] in data
    coordinates."""
    fig = ax.figure
    px = fig.dpi / 72.0
    xy = [ax.transData.transform((p[0], p[1])) for p in points]
    taken = [(c[0] - p[3] * px, c[1] - p[3] * px, c[0] + p[3] * px, c[1] + p[3] * px)
             for p, c in zip(points, xy)]
    box = ax.get_window_extent()
    # (dx, dy) in points from the point to the label's anchor, and its alignment.
    candidates = [(7, 2, "left", "bottom"), (7, -2, "left", "top"), (-7, 2, "right", "bottom"),
                  (-7, -2, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
                  (14, 12, "left", "bottom"), (14, -12, "left", "top"),
                  (-14, 12, "right", "bottom"), (-14, -12, "right", "top")]
    for (x, y, text, r), (dx0, dy0) in sorted(zip(points, xy), key=lambda t: (t[1][1], t[1][0])):
        w, h = 0.56 * fontsize * px * len(text), 1.25 * fontsize * px
        chosen = None
        for dx, dy, ha, va in candidates:
            dx, dy = dx + (r - 6) * np.sign(dx), dy + (r - 6) * np.sign(dy)  # clear of a ring
            ax0 = dx0 + dx * px - (w if ha == "right" else w / 2 if ha == "center" else 0)
            ay0 = dy0 + dy * px - (h if va == "top" else 0)
            rect = (ax0, ay0, ax0 + w, ay0 + h)
            inside = box.x0 <= rect[0] and rect[2] <= box.x1 and box.y0 <= rect[1] and \
                rect[3] <= box.y1
            free = all(rect[2] <= t[0] or t[2] <= rect[0] or rect[3] <= t[1] or t[3] <= rect[1]
                       for t in taken)
            if inside and free:
                chosen = (dx, dy, ha, va, rect)
                break
        if chosen is None:  # crowded: the first candidate, overlapping; still readable by colour
            dx, dy, ha, va = candidates[0]
            rect = (dx0, dy0, dx0 + w, dy0 + h)
        else:
            dx, dy, ha, va, rect = chosen
        taken.append(rect)
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=fontsize, color="#222222",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.6, "pad": 0.5})


def strategy_of(config, strategies):
    return strategies.get(config) or config.split("-")[0]


def plot_tradeoff(res):
    heavy = rows(res, "heavy", "heavy+probe")
    probe = rows(res, "probe", "heavy+probe")
    if "rate_rps" not in heavy.columns or "p99_ms" not in probe.columns:
        raise MissingData("summary.csv lacks rate_rps or p99_ms")
    x = aggregate(heavy, ["config"], "rate_rps").set_index("config")
    y = aggregate(probe, ["config"], "p99_ms", "p99_lo_ms", "p99_hi_ms").set_index("config")
    configs = [c for c in dict.fromkeys(list(heavy["config"]) + list(probe["config"]))]
    strategies = dict(zip(res.summary["config"], res.summary["strategy"])) \
        if "strategy" in res.summary.columns else {}
    verdicts = res.slo_verdicts()
    slos = res.slos()
    chosen, chosen_pass, _why = res.chosen()
    short, dropped = short_labels(configs, res.strategies())
    shapes, size_key = size_markers(res, configs)
    colors = strategy_colors(res)

    keyed = len(configs) > KEY_ABOVE
    if keyed:
        fig, axes = new_figure("tradeoff", 1, 2, gridspec_kw={"width_ratios": [2.1, 1]})
        axes[0][1].axis("off")
    else:
        fig, axes = new_figure("tradeoff")
    ax = axes[0][0]
    points, opened, missing, key = [], 0, [], []
    ys = [float(y.loc[c, "mean"]) for c in configs if c in y.index]
    ys = [v for v in ys if np.isfinite(v) and v > 0]
    floor = min(ys) / 2 if ys else 0.1  # where a point without a p99 is drawn (log axis)
    for c in configs:
        xv = float(x.loc[c, "mean"]) if c in x.index else math.nan
        yv = float(y.loc[c, "mean"]) if c in y.index else math.nan
        if not np.isfinite(xv):
            missing.append(c)
            continue
        color = colors.get(strategy_of(c, strategies), "#7f7f7f")
        passed = verdicts.get(c)
        hollow = passed is False
        face = "white" if hollow else color
        name = short[c] + (" (chosen)" if c == chosen else "")
        key.append((name, color, passed, xv, yv))
        if keyed:
            name = str(len(key))
        if not np.isfinite(yv) or yv <= 0:  # too few /hi answers for a p99: say so, at the floor
            ax.plot([xv], [floor], marker="v", ms=9, color=color, mfc=face, mew=2, ls="none")
            points.append((xv, floor, name + ("" if keyed else " (p99 n/a)"), 6))
            continue
        el, eh = y.loc[c, "err_lo"], y.loc[c, "err_hi"]
        xe_lo, xe_hi = x.loc[c, "err_lo"], x.loc[c, "err_hi"]
        ax.errorbar([xv], [yv],
                    yerr=[[0 if np.isnan(el) else min(el, yv * 0.999)], [0 if np.isnan(eh) else eh]],
                    xerr=[[0 if np.isnan(xe_lo) else xe_lo], [0 if np.isnan(xe_hi) else xe_hi]],
                    marker=shapes[c], ms=10, color=color, mfc=face, mew=2.2, capsize=3,
                    elinewidth=1,
                    ls="none", zorder=3, ecolor=color + "99")  # error bars lighter than points
        if np.isfinite(el) and np.isnan(eh):
            opened += 1
            ax.annotate("", xy=(xv, yv * 1.6), xytext=(xv, yv), annotation_clip=False,
                        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1,
                                    "shrinkA": 0, "shrinkB": 0})
        if c == chosen:
            ax.plot([xv], [yv], marker="o", ms=20, mfc="none", mec="k", mew=1.5, ls="none",
                    zorder=4)
        points.append((xv, yv, name, 10 if c == chosen else 6))
    if not points:
        raise MissingData("no configuration has a heavy throughput in its heavy+probe phase")

    # Objectives the axes can show: bounds on /hi p99 (y) and on heavy req/s (x).
    drawn, others = [], []
    for s in slos:
        if s["metric"] == "p99" and s["stream"] == "probe" and np.isfinite(s["bound"]):
            ax.axhline(s["bound"], color="#b00000", ls="--", lw=1.3, label=f"SLO {s['text']}")
            drawn.append(s["text"])
        elif s["metric"] == "rps" and s["stream"] == "heavy" and np.isfinite(s["bound"]):
            ax.axvline(s["bound"], color="#b00000", ls="-.", lw=1.3, label=f"SLO {s['text']}")
            drawn.append(s["text"])
        else:
            others.append(s["text"])
    try:
        base = rows(res, "probe", "probe-only")
        if "p99_ms" in base.columns and base["p99_ms"].notna().any():
            v = float(base["p99_ms"].median())
            ax.axhline(v, color="#555555", ls=":", lw=1.2,
                       label=f"/hi p99 with no heavy load ({v:.3g} ms, median)")
    except MissingData:
        pass

    ax.set_yscale("log")
    log_125(ax.yaxis)
    ax.yaxis.set_major_formatter(ms_formatter())
    yvals = [p[1] for p in points] + [s["bound"] for s in slos
                                      if s["metric"] == "p99" and s["stream"] == "probe"]
    yvals = [v for v in yvals if np.isfinite(v) and v > 0]
    ax.set_ylim(min(yvals) / 2.5, max(yvals) * (5 if opened else 3))
    xvals = [p[0] for p in points] + [s["bound"] for s in slos
                                      if s["metric"] == "rps" and s["stream"] == "heavy"]
    ax.set_xlim(0, max(v for v in xvals if np.isfinite(v)) * 1.18)
    ax.set_xlabel("heavy GET / completed under the /hi probe (req/s, heavy + probe phase)"
                  " — more is better")
    ax.set_ylabel("/hi p99 under heavy load (log) — less is better")
    ax.grid(True, which="major", alpha=0.3)

    # Legend: one colour per strategy, then what filled / hollow / ring / lines mean.
    handles, labels = [], []
    seen = []
    for c in configs:
        st = strategy_of(c, strategies)
        if st not in seen:
            seen.append(st)
            handles.append(Line2D([], [], marker="o", ls="none", ms=9,
                                  color=colors.get(st, "#7f7f7f")))
            labels.append(st)
    if slos:
        handles += [Line2D([], [], marker="o", ls="none", ms=9, color="#444444"),
                    Line2D([], [], marker="o", ls="none", ms=9, color="#444444", mfc="white",
                           mew=2)]
        labels += ["passes every SLO", "fails an SLO"]
        if chosen:
            handles.append(Line2D([], [], marker="o", ls="none", ms=16, mfc="none", mec="k"))
            labels.append("chosen" + ("" if chosen_pass else " (failed)"))
    for label, marker in size_key:  # which shape is which job size
        handles.append(Line2D([], [], marker=marker, ls="none", ms=9, color="#444444",
                              mfc="none", mew=1.5))
        labels.append(label)
    h2, l2 = ax.get_legend_handles_labels()
    handles += h2
    labels += l2

    notes = ["heavy + probe phase, one point per configuration",
             "better: down and to the right"]
    if dropped:
        notes.append("labels omit what every configuration shares: " + ", ".join(dropped))
    if size_key:
        notes.append("several job sizes: compare only points of one shape (one job size)")
    if slos:
        if others:
            notes.append("SLOs not drawn: " + ", ".join(others))
        if not chosen:
            notes.append("no configuration passed every SLO")
    else:
        notes.append("no SLOs given (offload-bench experiment --slo 'hi.p99<2ms' ...)")
    if missing:
        notes.append("no heavy rate for " + ", ".join(missing))
    notes.append(repeats_note(probe))
    if opened:
        notes.append(OPEN_NOTE)
    fig = finish(fig, res, "Trade-off: /hi p99 under load vs heavy throughput, per configuration",
                 " · ".join(notes), legend=(handles, labels, min(len(labels), 5)))
    # Labels last: their places are chosen in pixels, which only the final layout fixes.
    place_labels(ax, points)
    if keyed:
        draw_key(axes[0][1], key)
    return fig


def draw_key(ax, key):
    """The numbered points' names with their figures, one line each, coloured by strategy;
    a failed SLO is marked ✗."""
    size = 7 if len(key) <= 30 else 6
    step = min(0.045, 0.98 / (len(key) + 1))
    ax.text(0, 1, " #  configuration  (/hi p99 loaded, heavy req/s)", transform=ax.transAxes,
            fontsize=size, family="monospace", va="top", fontweight="bold")
    for i, (name, color, passed, xv, yv) in enumerate(key, start=1):
        mark = " ✗" if passed is False else ""
        p99 = f"{yv:.3g} ms" if np.isfinite(yv) else "p99 n/a"
        ax.text(0, 1 - i * step, f"{i:>2}  {name}{mark}  ({p99}, {xv:.0f})",
                transform=ax.transAxes, fontsize=size, family="monospace", va="top",
                color=color)


HOW_TO_READ = (
    "The trade-off in one picture: each configuration's /hi p99 while the heavy load runs "
    "(up is worse, log scale) against the heavy jobs it completes in that same phase (right is "
    "better). A knob that protects the event loop moves a point down; one that starves the "
    "workers moves it left. With SLOs, filled points passed every objective in every repeat, "
    "hollow ones failed; the red lines are the /hi p99 and heavy req/s bounds, the ring marks "
    "the configuration the exit status speaks for. The dotted grey line is /hi p99 with no "
    "heavy load.")
