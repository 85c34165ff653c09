"""Runs with load levels and validity checks (harness/RESULTS.md): the latency-vs-load,
breakdown and spectrum figures drawn value by value from a synthetic folder of that layout
(3 strategies, 2 repeats, 7 levels, invalid rows, .hgrm files), one panel set per job size,
the answer and validity sections of the report, check_results.py on the layout; and what
degrades: a folder without the breakdown or the .hgrm files, meta.json without the answer, an
older folder (the committed fixture) that draws no load figure and says why."""
import json
import shutil
import subprocess
import sys
import unittest

import pandas as pd

import graphs_support
from graphs_support import FIXTURE, ROOT, copy_fixture, expected_px, left_out, png_size, temp_dir

import load_checks
import offload_graphs as og
import synthetic_results
from load_levels import level_points, per_level, responsive_from_levels, unloaded

CHECKER = ROOT / "harness" / "tools" / "check_results.py"


def check_results(run):
    p = subprocess.run([sys.executable, str(CHECKER), str(run), "--complete"],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


class LoadFigures(unittest.TestCase):
    def synthetic(self, **kw):
        return synthetic_results.make_load(temp_dir(self) / "run", **kw)

    def test_every_figure_and_the_report_match_the_folder(self):
        run = self.synthetic()
        res, rendered = load_checks.check_all(self, run, temp_dir(self))
        drawn = {n for n, png, _ in rendered if png is not None}
        self.assertTrue(og.LEVELS_ONLY <= drawn)
        for name in og.LEVELS_ONLY:
            png = next(p for n, p, _ in rendered if n == name)
            self.assertEqual(png_size(png), expected_px(name))
        # The synthetic folder has invalid rows: the figure draws some hollow.
        fig = og.figure(res, "latency_vs_load")
        self.assertTrue(load_checks.artists(fig, "hi-repeats:thread-fib30-w2:invalid"))

    def test_a_fib_sweep_gets_a_panel_set_per_job_size(self):
        run = self.synthetic(fibs=(27, 30), repeats=1)
        res = og.load(run)
        fig = og.figure(res, "latency_vs_load")
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        self.assertEqual([t.split(" ·")[0] for t in titles], ["fib(27)", "fib(30)"])
        # each configuration's line lies in its own job size's column only
        for gid, line in load_checks.artists(fig, "hi-mean:").items():
            fib = gid.split("-fib")[1].split("-")[0]
            self.assertTrue(line.axes.get_title().startswith(f"fib({fib})"), gid)
        load_checks.check_latency_vs_load(self, res, fig)
        load_checks.check_latency_breakdown(self, res, og.figure(res, "latency_breakdown"))
        html = og.render(res, temp_dir(self))[0].read_text()
        self.assertIn("<b>fib(27)</b>", html)
        self.assertIn("<b>fib(30)</b>", html)
        ranks = og.answer(res).groupby("job size")["rank in its job size"].apply(list)
        for size, r in ranks.items():  # ranked within each job size, from 1
            self.assertIn(1, r, size)

    def test_the_answer_computed_from_summary_csv_matches_meta_json(self):
        # The synthetic folder's meta.json applies the rule on its own (synthetic_results.py);
        # the graphs compute it too when meta.json lacks it (an interrupted run).
        run = self.synthetic()
        res = og.load(run)
        pts = level_points(res)
        base = unloaded(res, pts)
        meta = {c["config"]: c for c in res.meta["configs"]}
        for config, g in pts.groupby("config"):
            r, why = responsive_from_levels(per_level(g), base[config], 2.0)
            want = meta[config]["responsive"]
            if want is None:
                self.assertIsNone(r)
                self.assertTrue(why)
            else:
                self.assertEqual(r["level"], want["level"], config)
                self.assertAlmostEqual(r["hi_p99_ms"], want["hi_p99_ms"], places=3)
        # Without it in meta.json the report still answers, from summary.csv.
        data = json.loads((run / "meta.json").read_text())
        for c in data["configs"]:
            del c["responsive"]
        (run / "meta.json").write_text(json.dumps(data))
        res = og.load(run)
        table = og.answer(res)
        self.assertEqual(table.attrs["source"], ["summary.csv"])
        got = dict(zip(table["configuration"], table["responsive capacity"]))
        self.assertEqual(got, {c: (m["responsive"] or {}).get("level", "none")
                               for c, m in meta.items()})

    def test_a_configuration_that_fails_at_the_lowest_level_is_none_with_the_reason(self):
        run = self.synthetic(repeats=1, levels=("50%", "100%"))
        res = og.load(run)
        meta = {c["config"]: c for c in res.meta["configs"]}
        self.assertIsNone(meta["inline-fib30-w1"]["responsive"])  # inline is slow at 50%
        table = og.answer(res).set_index("configuration")
        self.assertEqual(table.loc["inline-fib30-w1", "responsive capacity"], "none")
        self.assertIn("lowest level", table.loc["inline-fib30-w1", "why none"])
        self.assertEqual(table.loc["inline-fib30-w1", "rank in its job size"], "–")
        html = og.render(res, temp_dir(self))[0].read_text()
        self.assertTrue('<td class="t none">none</td>' in html, "no 'none' cell in the answer")

    def test_over_time_figures_show_the_capacity_run_only(self):
        run = self.synthetic(repeats=1)
        res = og.load(run)
        fig = og.figure(res, "probe_latency_over_time")
        se = res.series
        for ax in fig.axes:
            for line in ax.get_lines():
                if line.get_label() != "p99":
                    continue
                x = pd.Series(line.get_xdata()).dropna()
                self.assertTrue(x.is_monotonic_increasing and x.is_unique)
        # The capacity run (repeat 0) is the one shown, not a level run.
        self.assertEqual({r for _line, _c, r in res.representative_configs()}, {0})
        self.assertEqual(set(se[se["phase"] == "heavy+probe"]["repeat"]), {0})
        for _line, config, repeat in res.representative_configs():
            phases = {p for p, _s, _e in res.phase_spans(config, repeat)}
            self.assertIn("heavy+probe", phases)
            self.assertNotIn("load", phases)

    def test_two_server_runs_in_one_repeat_are_told_apart(self):
        # A layout where the capacity run shares repeat 1 with the first level run: the
        # over-time figures still show the capacity run alone (rows in file order).
        run = self.synthetic(repeats=1)
        for name in ("summary", "series", "resources", "metrics"):
            f = run / f"{name}.csv"
            df = pd.read_csv(f, dtype=str, keep_default_na=False)
            df.loc[df["repeat"] == "0", "repeat"] = "1"
            df.to_csv(f, index=False)
        res = og.load(run)
        runs = res.summary[res.summary["phase"] == "probe-only"].groupby("config")["server_run"]
        self.assertTrue((runs.nunique() == 2).all())
        self.assertEqual(set(res.summary[res.summary["phase"] == "load"]["server_run"]), {1})
        fig = og.figure(res, "probe_latency_over_time")
        for ax in fig.axes:
            for line in ax.get_lines():
                if line.get_label() == "p99":
                    x = pd.Series(line.get_xdata()).dropna()
                    self.assertTrue(x.is_monotonic_increasing and x.is_unique)


class LoadDegrades(unittest.TestCase):
    def synthetic(self, **kw):
        return synthetic_results.make_load(temp_dir(self) / "run", repeats=1, **kw)

    def test_no_job_histograms_leave_out_the_breakdown_only(self):
        run = self.synthetic()
        f = run / "summary.csv"
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for c in df.columns:
            if c.startswith(("queue_wait", "service_", "handback")):
                df[c] = ""
        df.to_csv(f, index=False)
        _report, rendered = og.render(og.load(run), temp_dir(self))
        self.assertEqual(list(left_out(rendered)), ["latency_breakdown"])
        self.assertIn("no job histograms", left_out(rendered)["latency_breakdown"])

    def test_missing_hgrm_files_leave_out_the_spectrum_with_a_reason(self):
        run = self.synthetic()
        shutil.rmtree(run / "hgrm")
        _report, rendered = og.render(og.load(run), temp_dir(self))
        self.assertEqual(list(left_out(rendered)), ["hgrm_spectrum"])
        self.assertIn("no .hgrm files", left_out(rendered)["hgrm_spectrum"])

    def test_an_asked_spectrum_level_that_did_not_run_is_refused_with_the_levels(self):
        res = og.load(self.synthetic(levels=("25%", "50%")))
        with self.assertRaises(og.MissingData) as caught:
            og.figure(res, "hgrm_spectrum", level="70%")
        self.assertIn("25%, 50%", str(caught.exception))
        fig = og.figure(res, "hgrm_spectrum", level="25%")
        self.assertTrue(all(":r1" in g for g in load_checks.artists(fig, "hgrm:")))
        self.assertIn("level 25%", fig.axes[0].get_title())

    def test_the_old_layout_loads_with_empty_levels_and_draws_no_load_figure(self):
        res = og.load(FIXTURE)
        self.assertTrue((res.summary["load_level"] == "").all())
        self.assertEqual([n for n in res.notes if "lacks" in n], [])
        for name in og.LEVELS_ONLY:
            with self.assertRaises(og.NotDrawn) as caught:
                og.figure(res, name)
            self.assertIn("no load levels in this run", str(caught.exception))
        self.assertTrue(og.answer(res).empty)
        self.assertTrue(og.levels_table(res).empty)
        html = og.render(res, temp_dir(self))[0].read_text()
        self.assertIn("Not measured in this run: it has no load levels", html)
        self.assertNotIn("<h2>Validity</h2>", html)
        self.assertNotIn("left out", html)


class CheckResults(unittest.TestCase):
    """harness/tools/check_results.py on the layout with load levels; an older folder still
    passes, as 'old format'."""

    def test_the_new_layout_passes_and_an_old_folder_passes_as_old_format(self):
        rc, out = check_results(synthetic_results.make_load(temp_dir(self) / "run", repeats=1))
        self.assertEqual(rc, 0, out)
        self.assertNotIn("old format", out)
        rc, out = check_results(copy_fixture(self))
        self.assertEqual(rc, 0, out)
        self.assertIn("old format", out)

    def test_each_breach_of_the_layout_is_named(self):
        cases = {
            "no valid column": (lambda run: drop_column(run / "summary.csv", "valid"),
                                "summary.csv: header"),
            "missing hgrm": (lambda run: (run / "hgrm" / "thread-fib30-w2-r1-load-50pct-probe"
                                          ".hgrm").unlink(),
                             "hgrm/thread-fib30-w2-r1-load-50pct-probe.hgrm is missing"),
            "wrong count": (lambda run: edit_meta(run, lambda m: m["validity"].update(
                invalid_rows=m["validity"]["invalid_rows"] + 1)), "meta.json: validity counts"),
            "no governor": (lambda run: edit_meta(run, lambda m: m["machine"].pop("governor")),
                            "machine has no governor"),
            "a level missing": (lambda run: edit_meta(run, lambda m: m["params"]["load"].append(
                "150%")), "load levels"),
            # The schema's rules for every cell: type, empty or not, the values allowed.
            "a fraction of a count": (
                lambda run: set_cell(run / "summary.csv", "count", "1.5", "stream", "heavy"),
                "count ='1.5' is not an integer"),
            "an empty key": (
                lambda run: set_cell(run / "summary.csv", "strategy", "", "stream", "probe"),
                "strategy is empty"),
            "an unknown phase": (
                lambda run: set_cell(run / "summary.csv", "phase", "lunch", "stream", "none"),
                "phase ='lunch' is not among"),
            "unknown warning": (lambda run: set_cell(run / "summary.csv", "warnings", "cosmic",
                                                     "valid", "no"),
                                "warnings ='cosmic' is not among"),
        }
        for name, (breach, said) in cases.items():
            with self.subTest(name):
                run = synthetic_results.make_load(temp_dir(self) / "run", repeats=1)
                breach(run)
                rc, out = check_results(run)
                self.assertEqual(rc, 1, out)
                self.assertIn(said, out)


def drop_column(path, col):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.drop(columns=[col]).to_csv(path, index=False)


def set_cell(path, col, value, where_col, where_value):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[df[where_col] == where_value][0]
    df.loc[i, col] = value
    df.to_csv(path, index=False)


def edit_meta(run, change):
    meta = json.loads((run / "meta.json").read_text())
    change(meta)
    (run / "meta.json").write_text(json.dumps(meta))


if __name__ == "__main__":
    graphs_support.main()
