"""The results folder's layout as notebooks/ reads it: the column lists of
harness/results_schema.json (the file the harness writes by and its checker checks by), the
phases, and what a folder from before the server listed its strategies had.
"""
import json
from pathlib import Path

# The layout, written once for the harness, its checker and this reader: every column in
# order, with its type, whether it may be empty and the version that added it.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "harness" / "results_schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def _group(name, since=None):
    """A schema group's column names, all of them or those added in version `since`."""
    return [c["name"] for c in SCHEMA["groups"][name]["columns"]
            if since is None or c.get("since", 1) == since]


# The key columns every folder has (later versions add load_level, load_param, load_value).
KEY_COLUMNS = _group("keys", since=1)
PHASES = ["idle-before", "probe-only", "heavy-only", "heavy+probe", "load", "idle-after"]
PHASE_LABELS = {"idle-before": "idle (before)", "probe-only": "probe only",
                "heavy-only": "heavy only", "heavy+probe": "heavy + probe",
                "load": "load levels", "idle-after": "idle (after)"}
# A configuration's server runs more than once per repeat (its capacity run, then its level
# run): in file order a new run starts where the phase goes back in this order.
PHASE_RANK = {p: i for i, p in enumerate(PHASES)}
# Columns of a harness with load levels and validity checks (version 2). Optional: an older
# folder lacks them, and reads as if they were empty (NaN, or "" for text).
LOAD_KEY = "load_level"
NEW_SUMMARY = _group("summary", since=2)
NEW_SERIES = _group("series", since=2)
# Optional: what the server refused of its knobs, and the per-run SLO verdict (a folder from
# before knob sweeps and SLOs lacks them).
NOTE_COLUMNS = _group("knob_notes") + [c for c in _group("summary") if c.startswith("slo_")]
# Columns each file is expected to hold beyond the key columns: its own columns of the first
# layout, less the optional notes.
EXPECTED = {name: [c for c in _group(name, since=1) if c not in NOTE_COLUMNS]
            for name in ("summary", "series", "resources", "metrics")}
# The knobs in force (issue 7), after the key columns in every CSV of a newer harness; an
# older folder lacks them and needs none of them for its figures, so they are optional.
KNOB_COLUMNS = _group("knobs")
# What an empty knob cell means where the knob applies (elsewhere: the knob does not apply).
EMPTY_KNOB = {"loop_cpu": "none", "worker_cpus": "all"}
# Every column the schema names but the knobs: a column beyond these that holds one value per
# configuration is a knob of a later harness, and may tell plotted lines apart.
SCHEMA_COLUMNS = {c["name"] for g, spec in SCHEMA["groups"].items() if g != "knobs"
                  for c in spec["columns"]}
# Configuration columns that describe a line in a plot, besides the knob columns (and any
# other per-configuration column a later harness adds). Load columns are the x axis instead.
LINE_COLUMNS = ["strategy", "workload", "workers"]
LOAD_COLUMNS = ["fib", "payload_bytes"]
TEXT_COLUMNS = [c["name"] for spec in SCHEMA["groups"].values() for c in spec["columns"]
                if c["type"] == "text"]
# The strategies of a folder whose meta.json does not list the server's (an older harness),
# in the order the project listed them then; and the one of them that ran its jobs on the
# loop, the baseline of the "x inline" ratios.
DEFAULT_STRATEGIES = ["inline", "thread", "process", "uvpool"]
DEFAULT_LOOP_STRATEGIES = ["inline"]
