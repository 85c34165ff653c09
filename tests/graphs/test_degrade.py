"""Partial or damaged results folders degrade gracefully: a note in the report and the
figures that can be drawn, never a crash; a folder that is not a results folder exits 2."""
import json
import re
import unittest

import pandas as pd

import graphs_support
from graphs_support import expected_px, png_size, run_cli, temp_dir

import offload_graphs as og
from report_html import write_report
import synthetic_results



class Degrades(unittest.TestCase):
    """Partial or damaged folders: a note in the report, never a crash."""

    def synthetic(self, **kw):
        return synthetic_results.make(temp_dir(self) / "run", **kw)

    def render(self, run):
        """In-process (the CLI's own path is tested above): html and the figures left out."""
        report, rendered = og.render(og.load(run))
        return report.read_text(), graphs_support.left_out(rendered)

    def test_repeats_and_a_sweep_render_with_error_bars(self):
        run = self.synthetic(repeats=3, fibs=(22, 26, 30))
        html, _ = self.render(run)
        for name in og.PLOT_NAMES:
            # one pool size: nothing to scale; the old layout: no load levels
            if name not in graphs_support.not_drawn_for_old_folders():
                self.assertEqual(png_size(run / f"{name}.png"), expected_px(name))
        self.assertNotIn("left out", html)

    def test_gpg_payload_sweep_uses_payload_and_job_cost_axes(self):
        run = self.synthetic(repeats=1, payloads=(4096, 65536, 1048576))
        res = og.load(run)
        self.assertEqual([a[0] for a in res.load_axes()], ["payload_bytes", "job_cost_ms"])
        html, left_out = self.render(run)
        self.assertEqual(left_out, {})
        self.assertIn("64 KiB", res.load_text("thread-gpg65536-w2"))

    def test_a_swept_knob_splits_the_lines(self):
        run = self.synthetic(repeats=1, fibs=(30,), strategies=("thread", "process"),
                             nices=(0, 19))
        res = og.load(run)
        self.assertEqual(res.lines(), ["thread worker_nice=0", "thread worker_nice=19",
                                       "process worker_nice=0", "process worker_nice=19"])
        html, left_out = self.render(run)
        self.assertEqual(left_out, {})
        self.assertIn("thread-fib30-w2-nice19", html)

    def test_an_unknown_per_configuration_column_splits_the_lines_too(self):
        # A later harness may add a knob this reader does not know: constant per
        # configuration and varying within a strategy, it still names the lines.
        run = self.synthetic(repeats=1, fibs=(30,), strategies=("thread", "process"))
        for name in ("summary", "series", "resources", "metrics"):
            f = run / f"{name}.csv"
            df = pd.read_csv(f)
            extra = df.copy()
            extra["config"] = extra["config"] + "-future1"
            df.insert(8, "future_knob", 0)
            extra.insert(8, "future_knob", 1)
            pd.concat([df, extra]).to_csv(f, index=False)
        res = og.load(run)
        self.assertEqual(res.lines(), ["thread future_knob=0", "thread future_knob=1",
                                       "process future_knob=0", "process future_knob=1"])
        html, left_out = self.render(run)
        self.assertEqual(left_out, {})
        self.assertIn("thread-fib30-w2-future1", html)

    def test_missing_metrics_csv_leaves_out_one_figure_with_a_note(self):
        run = self.synthetic(repeats=1)
        (run / "metrics.csv").unlink()
        html, left_out = self.render(run)
        self.assertIn("metrics.csv is missing", html)
        self.assertEqual(list(left_out), ["loop_lag_vs_latency"])
        self.assertFalse((run / "loop_lag_vs_latency.png").exists())
        self.assertTrue((run / "responsiveness_vs_load.png").is_file())

    def test_missing_columns_and_files_are_noted(self):
        run = self.synthetic(repeats=1)
        (run / "resources.csv").unlink()
        (run / "series.csv").unlink()
        lines = (run / "summary.csv").read_text().splitlines()
        header = lines[0].split(",")
        drop = [header.index(c) for c in ("p99_lo_ms", "p99_hi_ms", "job_cost_ms")]
        kept = [",".join(v for i, v in enumerate(ln.split(",")) if i not in drop) for ln in lines]
        (run / "summary.csv").write_text("\n".join(kept) + "\n")
        html, _ = self.render(run)
        self.assertIn("lacks column(s) p99_lo_ms, p99_hi_ms, job_cost_ms", html)
        self.assertIn("series.csv is missing", html)
        self.assertTrue((run / "heavy_throughput.png").is_file())

    def test_empty_percentiles_are_na_not_zero(self):
        run = self.synthetic(repeats=1, fibs=(30,))
        lines = (run / "summary.csv").read_text().splitlines()
        header = lines[0].split(",")
        i, ph, st = header.index("p99_ms"), header.index("phase"), header.index("stream")
        out = [lines[0]]
        for ln in lines[1:]:
            v = ln.split(",")
            if v[ph] == "heavy+probe" and v[st] == "probe":
                v[i] = ""
            out.append(",".join(v))
        (run / "summary.csv").write_text("\n".join(out) + "\n")
        res = og.load(run)
        self.assertTrue(og.overview(res)["/hi p99 loaded (ms)"].isna().all())
        html, _ = self.render(run)
        self.assertIn("Percentiles left empty", html)
        rows = re.findall(r"<tr>(.*?)</tr>", html.split("<h2>Figures")[0])
        self.assertTrue(any(">n/a<" in r for r in rows))

    def test_interrupted_run_is_noted(self):
        run = self.synthetic(repeats=1)
        meta = json.loads((run / "meta.json").read_text())
        meta["status"] = "interrupted"
        (run / "meta.json").write_text(json.dumps(meta))
        res = og.load(run)  # the figures are those of a complete run: only the note matters
        self.assertIn("status is 'interrupted'", " ".join(res.notes))
        self.assertIn("status interrupted", res.footer())
        html = write_report(res, [], temp_dir(self)).read_text()
        self.assertIn("status is &#x27;interrupted&#x27;", html)

    def test_header_only_summary_still_writes_a_report(self):
        run = self.synthetic(repeats=1)
        for f in ("summary.csv", "series.csv", "resources.csv", "metrics.csv"):
            (run / f).write_text((run / f).read_text().splitlines()[0] + "\n")
        html, _ = self.render(run)
        self.assertIn("left out", html)
        self.assertIn("has a header but no rows", html)

    def test_not_a_results_folder_exits_2_with_a_clear_message(self):
        empty = temp_dir(self)
        p = run_cli(empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a results folder", p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        p = run_cli(empty / "nope")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no such folder", p.stderr)
        self.assertEqual(list(empty.iterdir()), [])


if __name__ == "__main__":
    graphs_support.main()
