"""notebooks/responsiveness.ipynb runs top to bottom headless on the fixture, shows every
figure the fixture can draw (and says why it does not draw the others), and is stored
without outputs; on a folder with load levels it shows the load figures and the answer too."""
import json
import os
import subprocess
import sys
import unittest

import graphs_support
from graphs_support import NOTEBOOKS, copy_fixture, temp_dir

import offload_graphs as og
import synthetic_results

NOTEBOOK = NOTEBOOKS / "responsiveness.ipynb"


class Notebook(unittest.TestCase):
    def test_stored_without_outputs(self):
        nb = json.loads(NOTEBOOK.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                self.assertEqual(cell.get("outputs"), [], "clear the notebook's outputs")
                self.assertIsNone(cell.get("execution_count"))

    def execute(self, run):
        """The notebook executed on run: its code cells' outputs."""
        out = temp_dir(self)
        env = {**os.environ, "OFFLOAD_RESULTS": str(run), "PYTHONDONTWRITEBYTECODE": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_RUNTIME_DIR": str(out / "rt")}
        p = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                            str(NOTEBOOK), "--output-dir", str(out), "--output", "executed.ipynb",
                            "--ExecutePreprocessor.timeout=120"],
                           capture_output=True, text=True, timeout=150, env=env, cwd=NOTEBOOKS)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        nb = json.loads((out / "executed.ipynb").read_text())
        outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        self.assertFalse([o for o in outputs if o["output_type"] == "error"])
        return outputs

    def test_with_load_levels_it_shows_the_load_figures_and_the_answer(self):
        run = synthetic_results.make_load(temp_dir(self) / "run", repeats=1,
                                          levels=("25%", "70%", "120%"))
        outputs = self.execute(run)
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        self.assertEqual(len(images), len(set(og.PLOT_NAMES) - og.SWEEP_ONLY))
        tables = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
        self.assertIn("responsive capacity", tables)
        text = "".join("".join(o.get("text", "")) for o in outputs)
        self.assertIn("rows invalid", text)

    def test_executes_headless_and_shows_every_figure(self):
        run = copy_fixture(self)
        outputs = self.execute(run)
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        # The fixture is an old-format run with one pool size.
        self.assertEqual(len(images), len(set(og.PLOT_NAMES)
                                          - graphs_support.not_drawn_for_old_folders()))
        self.assertEqual(len(og.LEVELS_ONLY), 3)
        said = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
        self.assertIn("Figure `pool_scaling` not drawn for this run: one pool size", said)
        self.assertIn("Figure `latency_vs_load` not drawn for this run: no load levels", said)
        self.assertIn("No load levels in this run", said)
        self.assertNotIn("left out", said)
        text = "".join("".join(o.get("text", "")) for o in outputs)
        self.assertIn(f"results folder: {run}", text)


if __name__ == "__main__":
    graphs_support.main()
