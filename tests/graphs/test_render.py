"""Every plot and the report render from the fixture (a real harness run), through the
CLI and through `make graph`, at the expected pixel sizes; a figure the run was not made for
(og.SWEEP_ONLY) is not drawn, and the report says why without calling it a fault."""
import colorsys
import json
import os
import shutil
import subprocess
import unittest

import graphs_support
from graphs_support import (FIXTURE, ROOT, copy_fixture, expected_px, png_size, run_cli,
                            temp_dir)

import offload_graphs as og
from figure_parts import STRATEGY_PALETTE, line_colors, strategy_colors
from matplotlib.colors import to_rgb



class RenderFixture(unittest.TestCase):
    """Every figure and the report from the committed real-run fixture."""

    @classmethod
    def setUpClass(cls):
        if not (FIXTURE / "summary.csv").is_file():
            raise AssertionError(f"fixture missing: {FIXTURE}")

    def test_cli_writes_every_png_of_the_expected_size_and_the_report(self):
        run, out = copy_fixture(self), temp_dir(self)
        before = sorted(x.name for x in run.iterdir())
        p = run_cli(run, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(x.name for x in run.iterdir()), before, "--out wrote into RESULTS")
        report = out / "report.html"
        self.assertEqual(p.stdout.strip(), str(report))
        # An old-format run with one pool size: neither load levels nor a pool to scale.
        drawn = [name for name in og.PLOT_NAMES
                 if name not in graphs_support.not_drawn_for_old_folders()]
        for name in drawn:
            png = out / f"{name}.png"
            self.assertTrue(png.is_file(), f"{name}.png not written; stderr: {p.stderr}")
            self.assertGreater(png.stat().st_size, 10_000, f"{name}.png is nearly empty")
            self.assertEqual(png_size(png), expected_px(name), name)
        # The fixture has one pool size per strategy: nothing to scale, and no fault.
        self.assertFalse((out / "pool_scaling.png").exists())
        self.assertIn("pool_scaling not drawn for this run: one pool size per configuration",
                      p.stderr)
        for name in og.LEVELS_ONLY:
            self.assertFalse((out / f"{name}.png").exists())
            self.assertIn(f"{name} not drawn for this run: no load levels in this run", p.stderr)
        html = report.read_text()
        self.assertEqual(html.count('src="data:image/png;base64,'), len(drawn))
        self.assertNotIn("left out", html)
        self.assertIn('<p class="absent">Figure “pool_scaling” not drawn for this run: one '
                      "pool size per configuration: sweep --workers (e.g. --workers 1,2,4,8) "
                      "to draw it.</p>", html)
        meta = json.loads((run / "meta.json").read_text())
        self.assertIn(str(meta["run_id"]), html)
        for cfg in meta.get("configs", []):
            self.assertIn(cfg["config"], html)

    def test_make_graph_renders_the_given_folder(self):
        if not shutil.which("make"):
            self.skipTest("make not installed")
        run = copy_fixture(self)
        # A clean make environment: under `make test` the parent's jobserver flags would leak.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        p = subprocess.run(["make", "-s", "-C", str(ROOT), "graph", f"RESULTS={run}"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.strip().endswith(str(run / "report.html")), p.stdout)
        self.assertTrue((run / "responsiveness_vs_load.png").is_file())

    def test_overview_has_one_row_per_configuration_and_repeat(self):
        res = og.load(FIXTURE)
        table = og.overview(res)
        keys = res.summary[["config", "repeat"]].drop_duplicates()
        self.assertEqual(len(table), len(keys))
        self.assertTrue(table["heavy req/s (heavy only)"].notna().all())


class LineColours(unittest.TestCase):
    """Each strategy keeps its hue however many lines a sweep makes; its lines are shades."""

    def test_a_strategy_with_one_line_gets_its_colour_and_several_get_shades_of_it(self):
        res = og.load(FIXTURE)  # inline once; thread and process at worker_nice 0 and 19
        colours = line_colors(res)
        hue = strategy_colors(res)
        self.assertEqual(colours["inline"], hue["inline"])
        for strategy in ("thread", "process"):
            own = [ln for ln in res.lines() if ln.split(" ")[0] == strategy]
            self.assertEqual(len(own), 2, res.lines())
            hues = [colorsys.rgb_to_hsv(*to_rgb(colours[ln])) for ln in own]
            base = colorsys.rgb_to_hsv(*to_rgb(hue[strategy]))
            for h, _, _ in hues:
                self.assertAlmostEqual(h, base[0], delta=0.02, msg=strategy)
            light, dark = (sum(to_rgb(colours[ln])) for ln in own)
            self.assertGreater(light, dark, f"{strategy}: the first line is the lighter")
        self.assertEqual(len(set(colours.values())), len(colours), colours)

    def test_hues_follow_the_servers_list_and_keep_todays_colours(self):
        """A folder without the server's list (the fixture's harness predates it) takes the
        project's four strategies in their old order: inline red, thread blue, process green,
        uvpool purple, as every figure had them. With the list, a hue follows the position."""
        res = og.load(FIXTURE)
        self.assertEqual(strategy_colors(res), {"inline": "#d62728", "thread": "#1f77b4",
                                                "process": "#2ca02c", "uvpool": "#9467bd"})
        self.assertEqual(res.loop_strategies(), ["inline"])
        res.meta["strategies"] = [{"name": "thread", "knobs": ["workers"]},
                                  {"name": "async", "knobs": []},
                                  {"name": "inline", "knobs": []}]
        self.assertEqual(res.strategies()[:3], ["thread", "async", "inline"])
        self.assertEqual(strategy_colors(res)["async"], STRATEGY_PALETTE[1])
        self.assertEqual(res.loop_strategies(), ["async", "inline"])
        # Strategies the rows name but the list does not (process here) come after it.
        self.assertIn("process", res.strategies()[3:])


if __name__ == "__main__":
    graphs_support.main()
