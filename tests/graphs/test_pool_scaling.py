"""Pool-size sweeps in the graphs: the pool_scaling figure from a real --workers sweep (the
16-core fixture) and from synthetic knob and FIB sweeps, not drawn for a run with one pool
size; line labels that leave out what the pool size already says (a process pool's resolved
min_workers / max_workers); figure-wide legends of many long labels that stay inside the
figure, above the axes."""
import unittest

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

import graphs_support
from graphs_support import (FIXTURE, FIXTURE_SCALING, copy_fixture, expected_px, left_out,
                            png_size, temp_dir)

import offload_graphs as og
import synthetic_results
from figure_parts import finish, new_figure, unique_legend

SIZES = [1, 2, 4, 8, 14, 16]  # the fixture's --workers


def named_lines(ax):
    """{label: Line2D} of the lines an axes names in the legend."""
    return {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}


def pool_lines(ax, groups):
    return {k: v for k, v in named_lines(ax).items() if k in groups}


def summary_folder(test, configs):
    """A folder with only a summary.csv: one row per configuration, knob columns as given."""
    run = temp_dir(test) / "run"
    run.mkdir()
    rows = [{"phase": "heavy+probe", "stream": "probe", "repeat": 1, **c} for c in configs]
    pd.DataFrame(rows).to_csv(run / "summary.csv", index=False)
    return og.load(run)


class PoolScaling(unittest.TestCase):
    def test_real_sweep_draws_one_line_per_pool_over_the_worker_counts(self):
        run, out = copy_fixture(self, FIXTURE_SCALING), temp_dir(self)
        res = og.load(run)
        _report, rendered = og.render(res, out)
        self.assertNotIn("pool_scaling", left_out(rendered))
        self.assertEqual(png_size(out / "pool_scaling.png"), expected_px("pool_scaling"))
        fig = og.figure(res, "pool_scaling")
        ax_rate, ax_p99, ax_mem = fig.axes
        for ax in (ax_rate, ax_p99, ax_mem):
            lines = pool_lines(ax, {"thread", "process", "uvpool"})
            self.assertEqual(sorted(lines), ["process", "thread", "uvpool"])
            for line in lines.values():
                self.assertEqual(list(line.get_xdata()), SIZES)
            self.assertEqual(list(ax.get_xticks()), SIZES)
            self.assertEqual([t.get_text() for t in ax.get_xticklabels()],
                             [str(w) for w in SIZES])
            self.assertEqual(ax.get_xscale(), "log")
        self.assertEqual(ax_p99.get_yscale(), "log")

        s = res.summary
        loaded = s[(s["phase"] == "heavy+probe") & (s["stream"] == "heavy")] \
            .set_index("config")["rate_rps"]
        # (a): the means, inline as a level, the linear reference from each one-worker rate.
        thread = pool_lines(ax_rate, {"thread"})["thread"]
        self.assertAlmostEqual(thread.get_ydata()[-1], loaded["thread-fib30-w16"])
        inline = [ln for label, ln in named_lines(ax_rate).items() if label.startswith("inline")]
        self.assertEqual(len(inline), 1)
        self.assertAlmostEqual(inline[0].get_ydata()[0], loaded["inline-fib30-w1"])
        reference = [ln.get_ydata()[-1] for ln in ax_rate.get_lines()
                     if ln.get_label().startswith("_") and ln.get_linestyle() == "--"
                     and len(ln.get_xdata()) == len(SIZES)]
        self.assertEqual(sorted(reference), sorted(16 * loaded[f"{st}-fib30-w1"]
                                                   for st in ("thread", "process", "uvpool")))
        # (b): the unloaded /hi p99 as the reference level.
        base = s[(s["phase"] == "probe-only") & (s["stream"] == "probe")]["p99_ms"].median()
        grey = [ln for label, ln in named_lines(ax_p99).items() if "no heavy load" in label]
        self.assertAlmostEqual(grey[0].get_ydata()[0], base)
        # (c): the largest sum of server + worker RSS over one sample, in MiB.
        r = res.resources
        tree = r[(r["config"] == "process-fib30-w16") & (r["phase"] == "heavy+probe")
                 & r["role"].isin(["server", "worker"])].groupby("t_s")["rss_kb"].sum()
        process = pool_lines(ax_mem, {"process"})["process"]
        self.assertAlmostEqual(process.get_ydata()[-1], tree.max() / 1024)

    def test_one_pool_size_is_not_drawn_and_says_which_sweep_would(self):
        with self.assertRaises(og.NotDrawn) as caught:
            og.figure(og.load(FIXTURE), "pool_scaling")
        self.assertEqual(str(caught.exception), "one pool size per configuration: sweep "
                         "--workers (e.g. --workers 1,2,4,8) to draw it")
        self.assertEqual(og.absence(caught.exception), "not drawn for this run")
        self.assertEqual(og.absence(og.MissingData("x")), "left out")
        self.assertIn("pool_scaling", og.SWEEP_ONLY)

    def test_a_second_line_of_one_strategy_keeps_its_colour_and_changes_its_style(self):
        run = synthetic_results.make(temp_dir(self) / "run", repeats=2, fibs=(30,),
                                     workers=(1, 2, 4), nices=(0, 19))
        fig = og.figure(og.load(run), "pool_scaling")
        ax_rate = fig.axes[0]
        groups = {f"{st} worker_nice={n}" for st in ("thread", "process") for n in (0, 19)}
        lines = pool_lines(ax_rate, groups)
        self.assertEqual(set(lines), groups)
        for st in ("thread", "process"):
            a, b = lines[f"{st} worker_nice=0"], lines[f"{st} worker_nice=19"]
            self.assertEqual(a.get_color(), b.get_color())
            self.assertNotEqual((a.get_linestyle(), a.get_marker()),
                                (b.get_linestyle(), b.get_marker()))
        self.assertNotEqual(lines["thread worker_nice=0"].get_color(),
                            lines["process worker_nice=0"].get_color())
        self.assertTrue(any(label.startswith("inline") for label in named_lines(ax_rate)))
        # Two repeats: error bars on every point of every line, named in the subtitle.
        self.assertEqual(len(ax_rate.containers), len(groups))
        self.assertIn("95% CI of the mean of 2 repeats", " ".join(t.get_text() for t in fig.texts))

    def test_several_job_sizes_get_a_line_each(self):
        run = synthetic_results.make(temp_dir(self) / "run", repeats=1, fibs=(26, 30),
                                     strategies=("thread",), workers=(1, 2))
        fig = og.figure(og.load(run), "pool_scaling")
        groups = {"thread fib=26", "thread fib=30"}
        self.assertEqual(set(pool_lines(fig.axes[0], groups | {"thread"})), groups)


class LineLabels(unittest.TestCase):
    def test_resolved_min_and_max_workers_add_nothing_to_a_workers_sweep(self):
        run = synthetic_results.make(temp_dir(self) / "run", repeats=1, fibs=(30,),
                                     strategies=("thread", "process"), workers=(2, 14))
        res = og.load(run)
        configs = res.summary.drop_duplicates("config").set_index("config")
        self.assertEqual(configs.loc["process-fib30-w14", "max_workers"], 14)
        self.assertEqual(res.line_columns(), ["strategy", "workers"])
        # In pool-size order, not the labels' (workers=14 before workers=2).
        self.assertEqual(res.lines(), ["thread workers=2", "thread workers=14",
                                       "process workers=2", "process workers=14"])
        real = og.load(FIXTURE_SCALING).lines()
        self.assertIn("process workers=16", real)
        self.assertFalse([ln for ln in real if "min_workers" in ln or "max_workers" in ln])

    def test_a_min_workers_sweep_at_one_pool_size_is_still_labelled(self):
        res = summary_folder(self, [
            {"config": "thread-w4", "strategy": "thread", "workers": 4},
            {"config": "process-w4-min1", "strategy": "process", "workers": 4,
             "min_workers": 1, "max_workers": 4},
            {"config": "process-w4-min2", "strategy": "process", "workers": 4,
             "min_workers": 2, "max_workers": 4}])
        self.assertEqual(res.line_columns(), ["strategy", "min_workers"])
        self.assertEqual(res.lines(), ["thread", "process min_workers=1",
                                       "process min_workers=2"])


class LegendFits(unittest.TestCase):
    def assert_inside_and_above_the_axes(self, fig):
        FigureCanvasAgg(fig).draw()
        legend = fig.legends[0]
        box, page = legend.get_window_extent(), fig.bbox
        self.assertGreaterEqual(box.x0, page.x0)
        self.assertLessEqual(box.x1, page.x1)
        self.assertLessEqual(box.y1, page.y1)
        # The height reserved for it is enough: no axes (titles and ticks included) reaches it.
        renderer = fig.canvas.get_renderer()
        top = max(ax.get_tightbbox(renderer).y1 for ax in fig.axes)
        self.assertLessEqual(top, box.y0)
        return legend

    def test_many_long_labels_take_fewer_columns_and_stay_inside_the_figure(self):
        fig, axes = new_figure("responsiveness_vs_load", 1, 2)
        for i in range(24):
            axes[0][0].plot([0, 1], [i, i], marker="o",
                            label=f"process workers={i + 1} worker_policy=normal p99")
        hs, ls = unique_legend(axes[0])
        finish(fig, og.load(FIXTURE), "title", "subtitle", legend=(hs, ls, 6))
        legend = self.assert_inside_and_above_the_axes(fig)
        columns = {round(t.get_window_extent().x0) for t in legend.get_texts()}
        self.assertTrue(1 < len(columns) < 6, columns)  # six of these would not fit

    def test_the_real_sweeps_legend_fits(self):
        fig = og.figure(og.load(FIXTURE_SCALING), "responsiveness_vs_load")
        legend = self.assert_inside_and_above_the_axes(fig)
        self.assertEqual(len(legend.get_texts()), 2 * 19 + 2)  # p99, p50 per line; unloaded


if __name__ == "__main__":
    graphs_support.main()
