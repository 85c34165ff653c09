"""Knob sweeps and SLOs in the graphs (issue 7): the trade-off figure marks each configuration
pass (filled) or fail (hollow), rings the chosen one and draws the bounds it can show; the
report and the overview table carry the verdicts and the swept knobs; a folder from before
knob and SLO columns existed still renders every figure without a note about them."""
import unittest

import pandas as pd
from matplotlib.colors import to_rgba

import graphs_support
from graphs_support import left_out, png_size, temp_dir

import offload_graphs as og
import synthetic_results
from figure_tradeoff import SIZE_MARKERS, short_labels
from results_folder import KNOB_COLUMNS, NOTE_COLUMNS, parse_slo

SLOS = ["hi.p99<1ms", "heavy.rps>300"]


def markers(fig):
    """(x, y, filled) of every configuration's point: lines with one 'o' point, 10 pt."""
    ax = fig.axes[0]
    out = []
    for line in ax.get_lines():
        if line.get_marker() in SIZE_MARKERS and line.get_markersize() == 10 and \
                len(line.get_xdata()):
            face = line.get_markerfacecolor()
            out.append((float(line.get_xdata()[0]), float(line.get_ydata()[0]),
                        to_rgba(face) != to_rgba("white")))
    return out


class TradeOff(unittest.TestCase):
    def synthetic(self, **kw):
        return synthetic_results.make(temp_dir(self) / "run", **kw)

    def test_slo_verdicts_show_as_filled_and_hollow_points_with_the_bounds(self):
        run = self.synthetic(repeats=1, fibs=(30,), nices=(0, 19), slos=SLOS)
        res = og.load(run)
        verdicts = res.slo_verdicts()
        # inline is slow on /hi and does half the work: it fails; the pools pass.
        self.assertEqual(verdicts["inline-fib30-w2"], False)
        self.assertTrue(all(v for c, v in verdicts.items() if not c.startswith("inline")))
        chosen, chosen_pass, why = res.chosen()
        self.assertIn(chosen, verdicts)
        self.assertTrue(chosen_pass)
        fig = og.figure(res, "tradeoff")
        points = markers(fig)
        self.assertEqual(len(points), len(verdicts))
        self.assertEqual(sum(1 for *_, filled in points if not filled), 1)
        ax = fig.axes[0]
        labels = [ln.get_label() for ln in ax.get_lines()]
        self.assertIn("SLO hi.p99<1ms", labels)
        self.assertIn("SLO heavy.rps>300", labels)
        texts = [t.get_text() for t in ax.texts]
        self.assertIn(synthetic_short(chosen) + " (chosen)", texts)
        # y is /hi p99 under load (log), x the heavy rate of the same phase.
        s = res.summary
        hp = s[(s["config"] == "inline-fib30-w2") & (s["phase"] == "heavy+probe")]
        x = float(hp[hp["stream"] == "heavy"]["rate_rps"].iloc[0])
        y = float(hp[hp["stream"] == "probe"]["p99_ms"].iloc[0])
        self.assertIn((round(x, 3), round(y, 3), False),
                      [(round(a, 3), round(b, 3), f) for a, b, f in points])
        self.assertEqual(ax.get_yscale(), "log")

    def test_report_and_overview_carry_verdicts_and_the_swept_knob(self):
        run = self.synthetic(repeats=2, fibs=(30,), nices=(0, 19), slos=SLOS)
        res = og.load(run)
        table = og.overview(res)
        self.assertIn("worker_nice", table.columns)
        self.assertIn("SLO (this repeat)", table.columns)
        self.assertEqual(set(table["SLO (this repeat)"]), {"pass", "fail"})
        self.assertNotIn("worker_policy", table.columns)  # the same everywhere: not swept
        report, rendered = og.render(res)
        self.assertEqual(left_out(rendered), {})
        self.assertEqual(png_size(run / "tradeoff.png"),
                         tuple(round(v * og.DPI) for v in og.SIZES["tradeoff"]))
        html = report.read_text()
        self.assertIn("<h2>SLOs</h2>", html)
        self.assertIn("<code>hi.p99&lt;1ms</code>", html)
        self.assertIn('<td class="t fail">fail</td>', html)
        self.assertIn(f"Chosen: <b>{res.chosen()[0]}</b>", html)
        self.assertIn("exited 0", html)

    def test_no_slo_and_no_knob_columns_still_render_without_notes(self):
        run = self.synthetic(repeats=1, fibs=(24, 30))
        for name in ("summary", "series", "resources", "metrics"):
            f = run / f"{name}.csv"
            df = pd.read_csv(f)
            df.drop(columns=[c for c in KNOB_COLUMNS + NOTE_COLUMNS if c in df.columns]) \
                .to_csv(f, index=False)
        res = og.load(run)
        self.assertEqual([n for n in res.notes if "lacks" in n], [])
        self.assertEqual(res.slo_verdicts(), {})
        fig = og.figure(res, "tradeoff")
        self.assertTrue(all(filled for *_, filled in markers(fig)))
        self.assertEqual(len(markers(fig)), 6)  # 3 strategies x 2 FIBs
        # Two job sizes: a shape each, named in the legend, never one unlabelled axis.
        shapes = {ln.get_marker() for ln in fig.axes[0].get_lines()
                  if ln.get_markersize() == 10 and len(ln.get_xdata())}
        self.assertEqual(shapes, {"o", "s"})
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        self.assertIn("fib(24)", legend)
        self.assertIn("fib(30)", legend)
        report, rendered = og.render(res)
        self.assertEqual(left_out(rendered), {})
        self.assertNotIn("<h2>SLOs</h2>", report.read_text())

    def test_short_labels_drop_only_what_every_configuration_shares(self):
        short, dropped = short_labels(["thread-fib30-w2-nice0", "thread-fib30-w2-nice19",
                                       "process-fib30-w2-nice0"])
        self.assertEqual(short["thread-fib30-w2-nice19"], "thread-nice19")
        self.assertEqual(dropped, ["fib30", "w2"])
        short, dropped = short_labels(["thread-fib30-w2", "thread-fib30-w2-x"])
        self.assertEqual(short["thread-fib30-w2"], "thread")
        self.assertEqual(short_labels(["only-one"]), ({"only-one": "only-one"}, []))

    def test_objectives_parse_as_the_harness_writes_them(self):
        self.assertEqual(parse_slo("hi.p99<2ms"), {"text": "hi.p99<2ms", "stream": "probe",
                                                   "metric": "p99", "op": "<", "bound": 2.0})
        self.assertEqual(parse_slo("heavy.rps>=1000")["op"], ">=")
        self.assertAlmostEqual(parse_slo("probe.p50<500us")["bound"], 0.5)
        self.assertAlmostEqual(parse_slo("hi.max<1.5s")["bound"], 1500)
        self.assertAlmostEqual(parse_slo("hi.error_rate<1%")["bound"], 0.01)
        self.assertEqual(parse_slo("hi.p99.9<5ms")["metric"], "p999")
        self.assertIsNone(parse_slo("nonsense")["metric"])
        self.assertIsNone(parse_slo("api.p99<2ms")["metric"])


def synthetic_short(config):
    return config.replace("-fib30-w2", "")


if __name__ == "__main__":
    graphs_support.main()
