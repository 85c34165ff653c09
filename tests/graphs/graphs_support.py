"""Shared helpers of the graph tests: paths, a temp copy of a results folder, PNG sizes, the CLI."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NOTEBOOKS = ROOT / "notebooks"
FIXTURE = HERE / "fixture"
FIXTURE_SCALING = HERE / "fixture-scaling"  # a real --workers sweep on 16 cores
FIXTURE_LOAD = HERE / "fixture-load"  # a real run with load levels and validity checks
# CTest's SKIP_RETURN_CODE for the graph tests (tests/graphs/CMakeLists.txt).
SKIPPED = 77
sys.path.insert(0, str(NOTEBOOKS))
sys.path.insert(0, str(HERE))
# Tests never write into the repository: no bytecode caches next to the modules.
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def temp_dir(test, prefix="graphs-"):
    """A fresh directory removed when the test ends."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    test.addCleanup(shutil.rmtree, d, True)
    return d


def copy_fixture(test, src=FIXTURE):
    """A writable copy of a results folder (rendering writes into it)."""
    dst = temp_dir(test) / "run"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("README*", "*.png", "report.html"))
    return dst


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; raises if the file is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


CLI = [sys.executable, str(NOTEBOOKS / "offload_graphs.py")]


def run_cli(*args):
    """Runs the graphs CLI; returns the CompletedProcess (text output captured)."""
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def left_out(rendered):
    """{name: reason} of the figures render() left out for want of data; not those the run
    was not made for (NotDrawn: og.SWEEP_ONLY without the sweep)."""
    import offload_graphs as og
    return {name: str(why) for name, png, why in rendered
            if png is None and not isinstance(why, og.NotDrawn)}


def not_drawn(rendered):
    """{name: reason} of the figures render() did not draw because the run was not made
    for them."""
    import offload_graphs as og
    return {name: str(why) for name, png, why in rendered if isinstance(why, og.NotDrawn)}


def expected_px(name):
    """The pixel size a figure is drawn at."""
    import offload_graphs as og
    w, h = og.SIZES[name]
    return round(w * og.DPI), round(h * og.DPI)


def main():
    """unittest.main for a graph test script, with an exit status CTest can tell apart: 1 when
    a test failed or erred, SKIPPED when none did but some were skipped (CTest then shows the
    script as skipped, not as passed), else 0."""
    result = unittest.main(verbosity=2, exit=False).result
    if result.failures or result.errors or result.unexpectedSuccesses:
        raise SystemExit(1)
    if result.skipped:
        print(f"{len(result.skipped)} test(s) skipped: "
              + "; ".join(f"{t.id()}: {why}" for t, why in result.skipped), file=sys.stderr)
        raise SystemExit(SKIPPED)
    raise SystemExit(0 if result.testsRun else SKIPPED)


def not_drawn_for_old_folders():
    """The figures a folder from before load levels, with one pool size, does not draw."""
    import offload_graphs as og
    return og.SWEEP_ONLY | og.LEVELS_ONLY
