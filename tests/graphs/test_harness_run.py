"""The graphs against the live harness: a very short real `offload-bench experiment` run
(three strategies, one small FIB, a worker-nice sweep, two SLOs, two load levels, 1 s phases)
into a temp dir, then every figure and the report from it, the load figures checked value by
value (load_checks.py). Catches any drift between harness/RESULTS.md, the harness and the
graphs, knob, SLO and load-level columns included.

    /usr/bin/python3 tests/graphs/test_harness_run.py PATH/TO/offload-bench
"""
import os
import signal
import subprocess
import sys
import unittest

import graphs_support
from graphs_support import left_out, not_drawn, temp_dir

import load_checks
import offload_graphs as og
from results_folder import KNOB_COLUMNS

BENCH = None  # set from argv


def run_bounded(cmd, timeout):
    """Runs cmd; past the timeout it gets SIGINT first, which the harness answers by stopping
    the servers it started (a SIGKILL would orphan them), and SIGKILL only if that fails."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        err += f"\n(test: killed after {timeout} s)"
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


class HarnessRun(unittest.TestCase):
    def test_short_real_run_renders_every_figure_without_notes(self):
        results = temp_dir(self, "graphs-harness-")
        cmd = [BENCH, "experiment", "--strategies", "inline,thread,process", "--fib", "22",
               "--phase", "1", "--idle", "0.3", "--calibrate", "0.3", "--probe-rate", "200",
               "--heavy-conns", "2", "--results", str(results), "--label", "graphs-test",
               "--sweep", "worker-nice=0,19", "--slo", "hi.p99<10s", "--slo", "heavy.rps>1",
               "--load", "50%,120%", "--repeats", "1", "--quiet"]
        p = run_bounded(cmd, timeout=100)
        self.assertEqual(p.returncode, 0, f"{' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
        runs = [d for d in results.iterdir() if d.is_dir() and not d.is_symlink()]
        self.assertEqual(len(runs), 1, runs)
        self.assertTrue((results / "latest").is_symlink())
        res = og.load(results / "latest")
        # Every file and column the graphs read is there; the only acceptable note is about
        # percentiles a 1 s phase has too few samples for.
        notes = [n for n in res.notes if not n.startswith("Percentiles left empty")]
        self.assertEqual(notes, [])
        self.assertEqual(set(res.summary["strategy"]), {"inline", "thread", "process"})
        # inline has no workers: one configuration, no nice; each pool twice.
        configs = sorted(set(res.summary["config"]))
        self.assertEqual(configs, ["inline-fib22-w1", "process-fib22-w2-nice0",
                                   "process-fib22-w2-nice19", "thread-fib22-w2-nice0",
                                   "thread-fib22-w2-nice19"])
        for table in (res.summary, res.series, res.resources, res.metrics):
            self.assertTrue(set(KNOB_COLUMNS) <= set(table.columns))
        nice = res.summary.drop_duplicates("config").set_index("config")["worker_nice"]
        self.assertEqual(nice["thread-fib22-w2-nice19"], 19)
        self.assertTrue(nice.isna()["inline-fib22-w1"])  # no workers to nice
        self.assertEqual(res.swept_knob_columns(), ["worker_nice"])
        verdicts = res.slo_verdicts()
        self.assertEqual(sorted(verdicts), configs)
        self.assertTrue(all(verdicts.values()), verdicts)  # generous bounds: all pass
        chosen, chosen_pass, _ = res.chosen()
        self.assertIn(chosen, configs)
        self.assertTrue(chosen_pass)
        self.assertIn("SLO (this repeat)", og.overview(res).columns)
        report, rendered = og.render(res, temp_dir(self))
        self.assertEqual(left_out(rendered), {})
        self.assertEqual(set(not_drawn(rendered)), og.SWEEP_ONLY)  # one pool size: w2
        self.assertGreater(report.stat().st_size, 50_000)
        self.assertIn("<h2>SLOs</h2>", report.read_text())
        load_checks.check_all(self, results / "latest", temp_dir(self))


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        print(f"usage: {sys.argv[0]} PATH/TO/offload-bench", file=sys.stderr)
        raise SystemExit(2)
    BENCH = sys.argv.pop(1)
    graphs_support.main()
