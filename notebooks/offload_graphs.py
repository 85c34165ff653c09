#!/usr/bin/python3
"""Plots and an HTML report of responsiveness vs load from one offload-lab results folder.

    /usr/bin/python3 notebooks/offload_graphs.py RESULTS_DIR [--out DIR]

Writes the PNGs of PLOT_NAMES and a self-contained report.html into RESULTS_DIR (or --out DIR)
and prints report.html's path. The folder layout is harness/RESULTS.md. Missing files or
columns leave a figure out with a note in the report; a figure the run was not made for
(SWEEP_ONLY, e.g. pool_scaling without a --workers sweep; LEVELS_ONLY without load levels)
is not drawn, with a line saying why; a path that is not a results folder exits 2.

The notebook (notebooks/responsiveness.ipynb) uses the same functions:
    res = load("results/latest"); fig = figure(res, "responsiveness_vs_load")
"""
import argparse
import os
import sys
from pathlib import Path

# The sibling modules import by name when this file is run as a script or imported from the
# notebook alike.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from figure_parts import absence  # noqa: E402
from figures import (DPI, HOW_TO_READ, LEVELS_ONLY, PLOTS, SIZES, SWEEP_ONLY,  # noqa: E402
                     MissingData, NotDrawn)
from report_html import write_report  # noqa: E402
from results_folder import NotAResultsFolder, Results  # noqa: E402
from summary_table import answer, levels_table, overview  # noqa: E402

__all__ = ["load", "figure", "render", "overview", "answer", "levels_table", "absence",
           "PLOT_NAMES", "SWEEP_ONLY", "LEVELS_ONLY", "HOW_TO_READ", "SIZES", "DPI",
           "MissingData", "NotDrawn", "NotAResultsFolder", "main"]
PLOT_NAMES = [name for name, _ in PLOTS]


def load(path):
    """Results of one folder: .meta, .summary, .series, .resources, .metrics, .notes."""
    return Results(path)


def figure(res, name, **options):
    """One figure by name (see PLOT_NAMES); raises MissingData when it cannot be drawn.
    options go to the figure's function, e.g. figure(res, "hgrm_spectrum", level="50%")."""
    for n, fn in PLOTS:
        if n == name:
            return fn(res, **options)
    raise KeyError(f"no figure named {name!r}; choose from {', '.join(PLOT_NAMES)}")


def render(res, out_dir=None):
    """Writes every PNG and report.html; returns (report path, [(name, png or None, why)]):
    why is "" for a figure drawn, else the MissingData that kept it out (a NotDrawn when the
    run was not made for it)."""
    out = Path(out_dir) if out_dir else res.path
    out.mkdir(parents=True, exist_ok=True)
    rendered = []
    for name, fn in PLOTS:
        png = out / f"{name}.png"
        try:
            fig = fn(res)
        except MissingData as e:
            png.unlink(missing_ok=True)  # a stale PNG from an older render would mislead
            rendered.append((name, None, e.with_traceback(None)))  # frames hold the figure
            continue
        fig.savefig(png, dpi=DPI, facecolor="white")
        rendered.append((name, png, ""))
    return write_report(res, rendered, out), rendered


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="offload_graphs.py",
        description="Plots (PNG) and report.html from an offload-lab results folder.")
    ap.add_argument("results", help="results folder, e.g. results/latest")
    ap.add_argument("--out", help="write the PNGs and report here instead of into RESULTS")
    args = ap.parse_args(argv)
    try:
        res = load(args.results)
        report, rendered = render(res, args.out)
    except NotAResultsFolder as e:
        print(f"offload_graphs: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. a read-only results folder: say so instead of a traceback
        print(f"offload_graphs: cannot write the report: {e}", file=sys.stderr)
        return 1
    for name, png, why in rendered:
        if png is None:
            print(f"offload_graphs: {name} {absence(why)}: {why}", file=sys.stderr)
    for note in res.notes:
        print(f"offload_graphs: note: {note}", file=sys.stderr)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
