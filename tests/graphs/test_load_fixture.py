"""The load-level figures, the answer and the validity summary from a recorded real run with
load levels (tests/graphs/fixture-load/), checked value by value against its own files by the
same checks as the synthetic folder (load_checks.py), and the folder against
harness/RESULTS.md (check_results.py --complete). Skipped, and shown as skipped, while no
such recording is committed."""
import subprocess
import sys
import unittest

import graphs_support
from graphs_support import FIXTURE_LOAD, ROOT, copy_fixture, temp_dir

import load_checks


@unittest.skipUnless((FIXTURE_LOAD / "summary.csv").is_file(),
                     "no recorded run with load levels in tests/graphs/fixture-load/")
class RecordedLoadRun(unittest.TestCase):
    def test_every_figure_and_the_report_match_the_recorded_run(self):
        load_checks.check_all(self, copy_fixture(self, FIXTURE_LOAD), temp_dir(self))

    def test_the_recording_follows_results_md(self):
        p = subprocess.run([sys.executable, str(ROOT / "harness" / "tools" / "check_results.py"),
                            str(FIXTURE_LOAD), "--complete"], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    graphs_support.main()
