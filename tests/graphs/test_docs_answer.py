"""notebooks/docs_answer.py, what `make docs-figures` calls after a real run: the figure and the
printed answer go to docs/ and between the README's markers, without the results path."""
import subprocess
import sys
import unittest

import graphs_support
from graphs_support import NOTEBOOKS, temp_dir

OUTPUT = """Responsive capacity: the highest offered heavy load at which /hi p99 stayed
config                 capacity
inline-fib30-w1           614.9
machine: 2 cores, AMD EPYC, Linux 6.1
validity: all 12 rows valid
results: /somewhere/results/20261202-140347
"""


def run(test, readme_text, output=OUTPUT):
    d = temp_dir(test)
    run_dir = d / "run"
    run_dir.mkdir()
    (run_dir / "latency_vs_load.png").write_bytes(b"\x89PNG figure")
    (d / "out.txt").write_text(output)
    readme = d / "README.md"
    readme.write_text(readme_text)
    r = subprocess.run([sys.executable, str(NOTEBOOKS / "docs_answer.py"), str(run_dir),
                        str(d / "out.txt"), str(d / "docs"), str(readme)],
                       capture_output=True, text=True, timeout=60)
    return r, d


class DocsAnswer(unittest.TestCase):
    def test_the_answer_replaces_the_block_and_the_figure_is_copied(self):
        r, d = run(self, "# x\n\n<!-- answer:begin -->\nold text\n<!-- answer:end -->\n\nafter\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        readme = (d / "README.md").read_text()
        self.assertNotIn("old text", readme)
        self.assertNotIn("/somewhere", readme)
        self.assertIn("```\nResponsive capacity", readme)
        self.assertIn("validity: all 12 rows valid\n```\n<!-- answer:end -->\n\nafter\n", readme)
        self.assertEqual((d / "docs" / "latency_vs_load.png").read_bytes(), b"\x89PNG figure")
        answer = (d / "docs" / "experiment-answer.txt").read_text()
        self.assertTrue(answer.startswith("Responsive capacity"))
        self.assertIn("machine: 2 cores", answer)
        self.assertNotIn("results:", answer)
        # Run again: the block is replaced, not added to.
        r2 = subprocess.run([sys.executable, str(NOTEBOOKS / "docs_answer.py"), str(d / "run"),
                             str(d / "out.txt"), str(d / "docs"), str(d / "README.md")],
                            capture_output=True, text=True, timeout=60)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertEqual((d / "README.md").read_text(), readme)

    def test_no_markers_or_no_answer_is_an_error_and_changes_nothing(self):
        r, d = run(self, "# no markers\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("markers", r.stderr)
        self.assertEqual((d / "README.md").read_text(), "# no markers\n")
        self.assertFalse((d / "docs").exists())
        r, d = run(self, "<!-- answer:begin -->\n<!-- answer:end -->\n", output="crashed\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Responsive capacity", r.stderr)
        self.assertFalse((d / "docs").exists())


if __name__ == "__main__":
    graphs_support.main()
