#!/usr/bin/python3
"""Checks that a results folder follows harness/results_schema.json (the layout: files,
columns in order, types, which cells may be empty, allowed values) and harness/RESULTS.md:
meta.json parses and has its keys, every CSV has exactly the schema's header and rows of the
same width whose cells have the column's type (and pandas reads them, where it is installed).
With --complete it also checks that every configuration ran every phase with the right
streams and one job cost, and in a folder with load levels every level of every repeat, its
.hgrm files and the validity counts.

A folder of an older layout (meta.json without results_schema: 2 with params.load, else 1)
is checked against the schema's columns of that version, and reported as "old format" when it
predates load levels and validity checks.

A run folder (`offload-bench run --csv DIR`, meta.json "kind": "run") holds one phase of one
configuration: the same CSVs, and a meta.json with the run's own parameters instead of an
experiment's. Its key columns hold what the server said of itself, empty where it did not (an
external server); they must agree with meta.json's one configuration. With --complete: one
summary row per stream of the run, the phase its streams make, series windows for each, the
SLO cells exactly when --slo was given, .hgrm files and the validity counts.

usage: check_results.py RUN_DIR [--status STATUS] [--complete]
Exit status 0 when the folder is valid; otherwise each problem is printed and it is 1.
"""
import argparse
import csv
import json
import math
import os
import sys

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                           "results_schema.json")
with open(SCHEMA_PATH) as _f:
    SCHEMA = json.load(_f)
VERSION = SCHEMA["version"]


def group(name, version=VERSION):
    """A column group's columns (dicts) present in a folder of `version`."""
    return [c for c in SCHEMA["groups"][name]["columns"] if c.get("since", 1) <= version]


def file_columns(version):
    """{file name: [column dict, ...]} of the CSVs of a folder of `version`, in order."""
    return {f["name"]: [c for g in f["groups"] for c in group(g, version)]
            for f in SCHEMA["files"]}


def meta_keys(part, version):
    """The keys meta.json (part "keys") or one of its objects must have at `version`."""
    return [k["name"] for k in SCHEMA["meta"][part] if k.get("since", 1) <= version]


def folder_version(meta):
    """The layout a folder was written in: meta.json says so since version 3; before, load
    levels (params.load) mark version 2."""
    v = meta.get("results_schema")
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return 2 if is_new_format(meta) else 1


KNOBS = [c["name"] for c in group("knobs")]
PHASES = ["idle-before", "probe-only", "heavy-only", "heavy+probe", "idle-after"]
STREAMS = {"idle-before": {"none"}, "probe-only": {"probe"}, "heavy-only": {"heavy"},
           "heavy+probe": {"heavy", "probe"}, "idle-after": {"none"}, "load": {"heavy", "probe"}}
WARNINGS = set(next(c for c in group("summary") if c["name"] == "warnings")["values"])
# Strategies whose jobs run in worker processes (role "worker" in resources.csv), for folders
# whose meta.json does not list the server's strategies.
WORKER_PROCESS_STRATEGIES = {"process"}


def cell_problem(col, cell):
    """What is wrong with one cell of a column, or None."""
    if cell == "":
        return None if col["empty"] else "is empty"
    if col["type"] in ("number", "integer"):
        try:
            v = float(cell)
        except ValueError:
            return f"={cell!r} is not a number"
        if not math.isfinite(v):
            return f"is {cell}"
        if col["type"] == "integer" and not v.is_integer():
            return f"={cell!r} is not an integer"
        return None
    allowed = col.get("values")
    if allowed:
        items = cell.split(col["separator"]) if col.get("separator") else [cell]
        bad = [i for i in items if i and i not in allowed]
        if bad:
            return f"={cell!r} is not among {allowed}"
    return None


def check(run_dir, status, complete):
    problems = []
    try:
        with open(os.path.join(run_dir, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        return [f"meta.json: {e}"]
    version = folder_version(meta)
    if version > VERSION:
        return [f"meta.json: results_schema {version} is newer than this checker's {VERSION}"]
    run = meta.get("kind") == "run"
    for key in meta_keys("keys", 1):
        if key not in meta:
            problems.append(f"meta.json: no {key}")
    for key in meta_keys("machine", 1):
        if key not in meta.get("machine", {}):
            problems.append(f"meta.json: machine has no {key}")
    if meta.get("status") not in SCHEMA["meta"]["status"]:
        problems.append(f"meta.json: status {meta.get('status')!r} is not among "
                        f"{SCHEMA['meta']['status']}")
    if status and meta.get("status") != status:
        problems.append(f"meta.json: status {meta.get('status')!r}, expected {status!r}")
    new = version >= 2
    if run:
        problems += check_run_meta(meta)
    elif new:
        problems += check_new_meta(meta, version)

    tables = {}
    for name, columns in file_columns(version).items():
        if run:
            columns = [dict(c, empty=True) if c["name"] in RUN_KEYS else c for c in columns]
        header = [c["name"] for c in columns]
        path = os.path.join(run_dir, name)
        try:
            with open(path, newline="") as f:
                rows = list(csv.reader(f))
        except OSError as e:
            problems.append(f"{name}: {e}")
            continue
        if not rows or rows[0] != header:
            problems.append(f"{name}: header {rows[0] if rows else None} is not {header}")
            continue
        records = []
        for n, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                problems.append(f"{name}:{n}: {len(row)} cells, header has {len(header)}")
                continue
            for col, cell in zip(columns, row):
                why = cell_problem(col, cell)
                if why:
                    problems.append(f"{name}:{n}: {col['name']} {why}")
            records.append(dict(zip(header, row)))
        tables[name] = records
        try:
            import pandas
            frame = pandas.read_csv(path)
            if list(frame.columns) != header or len(frame) != len(records):
                problems.append(f"{name}: pandas reads {len(frame)} rows of {list(frame.columns)}")
        except ImportError:
            pass
        except Exception as e:  # pandas' own parse errors
            problems.append(f"{name}: pandas: {e}")
    if version >= 3:
        problems += check_load_columns(tables)
    if run and not problems:
        problems += check_run_keys(meta, tables)
        if complete and not problems:
            problems += check_run_complete(run_dir, meta, tables)
        return problems

    if complete and not problems:
        summary = tables["summary.csv"]
        in_workers = worker_process_strategies(meta)
        for config in meta["configs"]:
            label = config["config"]
            rows = [r for r in summary if r["config"] == label]
            for phase in PHASES:
                got = {r["stream"] for r in rows if r["phase"] == phase}
                if got != STREAMS[phase]:
                    problems.append(f"summary.csv: {label} {phase} has streams {got}")
            costs = {r["job_cost_ms"] for r in rows}
            if len(costs) != 1 or "" in costs:
                problems.append(f"summary.csv: {label} job_cost_ms values {costs}")
            roles = {r["role"] for r in tables["resources.csv"] if r["config"] == label}
            expected = {"server", "machine"} | \
                ({"worker"} if config["strategy"] in in_workers else set())
            if not expected <= roles:
                problems.append(f"resources.csv: {label} roles {roles}, expected {expected}")
            if not any(r["config"] == label and r["stream"] == "probe" for r in tables["series.csv"]):
                problems.append(f"series.csv: no probe windows for {label}")
            if not any(r["config"] == label for r in tables["metrics.csv"]):
                problems.append(f"metrics.csv: no scrapes for {label}")
            if not all(run.get("server_exit") == "clean" for run in config.get("runs", [])):
                problems.append(f"meta.json: {label} runs {config.get('runs')}")
            problems += check_knobs(label, config, tables)
            problems += check_slos(label, rows, meta)
            if new:
                problems += check_levels(run_dir, label, rows, meta)
        if new:
            problems += check_validity(summary, meta)
    return problems


# The key columns a run folder fills from the server's own words (its /metrics offload_info):
# empty for an external server, as meta.json's configuration says.
RUN_KEYS = ["strategy", "workload", "fib", "payload_bytes", "load_param", "load_value", "workers"]
RUN_PHASES = {"heavy+probe": {"heavy", "probe"}, "heavy-only": {"heavy"},
              "probe-only": {"probe"}, "load": {"heavy", "probe"}}


def check_run_meta(meta):
    """A run folder's meta.json: its own keys (no experiment parameters), one configuration
    with the schema's configuration keys, the run's streams in params, the validity counts."""
    problems = []
    for key in ("kind", "results_schema", "server", "validity", "exit_status"):
        if key not in meta:
            problems.append(f"meta.json: no {key}")
    params = meta.get("params")
    if not isinstance(params, dict) or not isinstance(params.get("streams"), list) or \
            not params["streams"] or not isinstance(params.get("slos"), list):
        problems.append(f"meta.json: params {params!r} lacks the run's streams and slos")
    configs = meta.get("configs")
    if not isinstance(configs, list) or len(configs) != 1 or not isinstance(configs[0], dict):
        return problems + [f"meta.json: a run has one configuration, not {configs!r}"]
    for key in meta_keys("configs", 1):
        if key not in configs[0]:
            problems.append(f"meta.json: {configs[0].get('config')} has no {key}")
    server = meta.get("server")
    if server is None and configs[0].get("strategy") is not None:
        problems.append("meta.json: an external server (server null) with a strategy")
    validity = meta.get("validity")
    if not isinstance(validity, dict) or \
            not {"thresholds", "rows", "invalid_rows", "by_warning"} <= set(validity):
        problems.append(f"meta.json: validity {validity!r} lacks thresholds, rows, "
                        "invalid_rows or by_warning")
    return problems


def check_run_keys(meta, tables):
    """Every row of a run folder belongs to its one configuration: its key cells are those of
    meta.json (empty where meta.json has null), its repeat 1, one phase throughout."""
    problems = []
    config = meta["configs"][0]
    phases = set()
    for name, records in tables.items():
        for n, r in enumerate(records, start=2):
            for key in ["config"] + RUN_KEYS:
                want = "" if config.get(key) is None else str(config[key])
                if r[key] != want:
                    problems.append(f"{name}:{n}: {key} {r[key]!r}, meta.json says {want!r}")
            if r["repeat"] != "1":
                problems.append(f"{name}:{n}: repeat {r['repeat']!r} in a run folder")
            phases.add((r["phase"], r["load_level"]))
    if len(phases) > 1:
        problems.append(f"a run folder with several phases: {sorted(phases)}")
    for (phase, level) in phases:
        if phase not in RUN_PHASES:
            problems.append(f"a run folder with the phase {phase!r}")
        if (phase == "load") != (level != ""):
            problems.append(f"a run folder's {phase} rows with load_level {level!r}")
    return problems


def check_run_complete(run_dir, meta, tables):
    """One summary row per stream of the run, named by role, in the phase its streams make;
    series windows for each; SLO cells exactly with --slo; hgrm files; validity counts."""
    problems = []
    config = meta["configs"][0]
    label = config["config"]
    summary = tables["summary.csv"]
    roles = [s.get("role") for s in meta["params"]["streams"]]
    got = [r["stream"] for r in summary]
    if sorted(got) != sorted(roles):
        problems.append(f"summary.csv: streams {got}, the run's are {roles}")
    for n, r in enumerate(summary, start=2):
        if r["stream"] not in RUN_PHASES.get(r["phase"], set()):
            problems.append(f"summary.csv:{n}: a {r['stream']} row in a {r['phase']} phase")
        if not any(w["stream"] == r["stream"] for w in tables["series.csv"]):
            problems.append(f"series.csv: no windows of the {r['stream']} stream")
        phase = r["phase"] + ("-" + r["load_level"] if r["load_level"] else "")
        hgrm = os.path.join(run_dir, "hgrm", f"{label}-r1-{phase}-{r['stream']}.hgrm")
        if not os.path.isfile(hgrm):
            problems.append(f"hgrm: {os.path.relpath(hgrm, run_dir)} is missing")
        slos = meta["params"]["slos"]
        if slos and r["slo_pass"] not in ("pass", "fail"):
            problems.append(f"summary.csv:{n}: slo_pass {r['slo_pass']!r} with --slo given")
        if not slos and (r["slo_pass"] or r["slo_detail"]):
            problems.append(f"summary.csv:{n}: SLO cells without --slo")
        want = {True: "pass", False: "fail", None: ""}.get(config.get("slo_pass"))
        if r["slo_pass"] != want:
            problems.append(f"summary.csv:{n}: slo_pass {r['slo_pass']!r}, meta.json says "
                            f"{config.get('slo_pass')!r}")
    problems += check_knobs(label, config, tables)
    problems += check_validity(summary, meta)
    return problems


def worker_process_strategies(meta):
    """The strategies whose jobs run in worker processes: from the server's list in meta.json
    (workload_in_server false), else the one a server without such a list had."""
    listed = meta.get("strategies")
    if isinstance(listed, list) and listed:
        return {s.get("name") for s in listed
                if isinstance(s, dict) and s.get("workload_in_server") is False}
    return WORKER_PROCESS_STRATEGIES


def check_load_columns(tables):
    """load_param / load_value say the same as the workload's own column (fib,
    payload_bytes), and each configuration has one of each."""
    problems = []
    for name, records in tables.items():
        for n, r in enumerate(records, start=2):
            param = r.get("load_param")
            if param in r and r[param] != r.get("load_value"):
                problems.append(f"{name}:{n}: load_value {r.get('load_value')!r}, but {param} is "
                                f"{r[param]!r}")
    return problems


def is_new_format(meta):
    """Load levels and validity checks: meta.json's params name the levels (maybe [])."""
    return isinstance(meta.get("params"), dict) and "load" in meta["params"]


def check_new_meta(meta, version):
    """The meta.json keys added with load levels and validity checks (version 2) and with the
    server's strategy list (version 3)."""
    problems = []
    params, machine = meta.get("params", {}), meta.get("machine", {})
    for key in meta_keys("keys", version):
        if key not in meta and key not in meta_keys("keys", 1):
            problems.append(f"meta.json: no {key}")
    for key in meta_keys("params", version):
        if key not in params:
            problems.append(f"meta.json: params has no {key}")
    if not isinstance(params.get("load"), list):
        problems.append(f"meta.json: params.load is {params.get('load')!r}, not a list")
    if params.get("load_basis") not in ("max", "own"):
        problems.append(f"meta.json: params.load_basis is {params.get('load_basis')!r}")
    if params.get("heavy_arrivals") not in ("poisson", "fixed"):
        problems.append(f"meta.json: params.heavy_arrivals is {params.get('heavy_arrivals')!r}")
    for key in meta_keys("machine", version):
        if key not in machine and key not in meta_keys("machine", 1):
            problems.append(f"meta.json: machine has no {key}")
    if not isinstance(meta.get("load_basis_rps"), dict):
        problems.append("meta.json: load_basis_rps is not an object")
    validity = meta.get("validity")
    if not isinstance(validity, dict) or \
            not {"thresholds", "rows", "invalid_rows", "by_warning"} <= set(validity):
        problems.append(f"meta.json: validity {validity!r} lacks thresholds, rows, "
                        "invalid_rows or by_warning")
    if version >= 3:
        problems += check_strategy_list(meta)
    for config in meta.get("configs") or []:
        label = config.get("config")
        for key in meta_keys("configs", version):
            if key not in config and key not in meta_keys("configs", 1):
                problems.append(f"meta.json: {label} has no {key}")
        responsive = config.get("responsive")
        if responsive is None:
            if params.get("load") and not config.get("responsive_why"):
                problems.append(f"meta.json: {label} responsive is null without responsive_why")
        elif not isinstance(responsive, dict) or \
                not {"offered_rps", "offered_pct", "level", "heavy_rps", "heavy_p99_ms",
                     "hi_p99_ms"} <= set(responsive) or responsive.get("level") is None:
            problems.append(f"meta.json: {label} responsive {responsive!r}")
        elif params.get("load") and responsive["level"] not in params["load"]:
            problems.append(f"meta.json: {label} responsive level {responsive['level']!r} is "
                            f"not among params.load {params['load']}")
    return problems


def check_strategy_list(meta):
    """meta.json's strategies: the server's list, each with the schema's keys, and every
    configuration's strategy among them."""
    listed = meta.get("strategies")
    if not isinstance(listed, list) or not listed:
        return [f"meta.json: strategies is {listed!r}, not the server's list"]
    problems = []
    keys = meta_keys("strategies", VERSION)
    for s in listed:
        if not isinstance(s, dict) or not set(keys) <= set(s):
            problems.append(f"meta.json: strategy {s!r} lacks one of {keys}")
    names = [s.get("name") for s in listed if isinstance(s, dict)]
    for config in meta.get("configs") or []:
        if config.get("strategy") not in names:
            problems.append(f"meta.json: {config.get('config')} has the strategy "
                            f"{config.get('strategy')!r}, not among the server's {names}")
    return problems


def level_slug(level):
    """A level's label as it appears in an .hgrm file name: `50%` -> `50pct`."""
    return level.replace("%", "pct")


def check_levels(run_dir, label, rows, meta):
    """load_level is set exactly on the load rows; every level ran in every repeat that ran
    one, with both streams and an .hgrm file each; the levels are those asked for."""
    problems = []
    for r in rows:
        if (r["phase"] == "load") != (r["load_level"] != ""):
            problems.append(f"summary.csv: {label} {r['phase']} row has load_level "
                            f"{r['load_level']!r}")
    load = [r for r in rows if r["phase"] == "load"]
    asked = meta["params"].get("load") or []
    levels = list(dict.fromkeys(r["load_level"] for r in load))
    if sorted(levels) != sorted(asked):
        problems.append(f"summary.csv: {label} load levels {levels}, params.load {asked}")
    repeats = sorted({r["repeat"] for r in load})
    for level in levels:
        for rep in repeats:
            got = {r["stream"] for r in load if r["load_level"] == level and r["repeat"] == rep}
            if got != STREAMS["load"]:
                problems.append(f"summary.csv: {label} repeat {rep} level {level} has streams "
                                f"{got}")
            for stream in got:
                hgrm = os.path.join(run_dir, "hgrm", f"{label}-r{rep}-load-{level_slug(level)}-"
                                    f"{stream}.hgrm")
                if not os.path.isfile(hgrm):
                    problems.append(f"hgrm: {os.path.relpath(hgrm, run_dir)} is missing")
    for r in load:
        if r["stream"] == "heavy" and (r["offered_rps"] == "" or r["capacity_rps"] == ""):
            problems.append(f"summary.csv: {label} heavy {r['load_level']} row lacks "
                            "offered_rps or capacity_rps")
    return problems


def check_validity(summary, meta):
    """valid is yes/no on every row; warnings name known checks, and an invalid row says
    why; meta.json's validity counts summary.csv's rows."""
    problems = []
    flagged, by_warning = 0, {}
    for n, r in enumerate(summary, start=2):
        names = [w for w in r["warnings"].split(";") if w]
        if r["valid"] not in ("yes", "no"):
            problems.append(f"summary.csv:{n}: valid is {r['valid']!r}")
        if r["valid"] == "no" and not names:
            problems.append(f"summary.csv:{n}: invalid without a warning")
        for w in names:
            if w not in WARNINGS:
                problems.append(f"summary.csv:{n}: unknown warning {w!r}")
            by_warning[w] = by_warning.get(w, 0) + 1
        flagged += r["valid"] == "no"
    validity = meta.get("validity") or {}
    if isinstance(validity, dict) and "invalid_rows" in validity:
        if validity.get("rows") != len(summary) or validity.get("invalid_rows") != flagged:
            problems.append(f"meta.json: validity counts {validity.get('invalid_rows')} of "
                            f"{validity.get('rows')} rows invalid; summary.csv has {flagged} of "
                            f"{len(summary)}")
        if {k: v for k, v in (validity.get("by_warning") or {}).items() if v} != by_warning:
            problems.append(f"meta.json: validity.by_warning {validity.get('by_warning')}, "
                            f"summary.csv {by_warning}")
    return problems


def check_knobs(label, config, tables):
    """The knob columns hold one value per configuration, the one meta.json records."""
    problems = []
    knobs = config.get("knobs")
    if not isinstance(knobs, dict) or sorted(knobs) != sorted(KNOBS):
        return [f"meta.json: {label} knobs {knobs!r}, expected the keys {KNOBS}"]
    for name, records in tables.items():
        rows = [r for r in records if r["config"] == label]
        for knob in KNOBS:
            values = {r[knob] for r in rows}
            want = "" if knobs[knob] is None else str(knobs[knob])
            if values and values != {want}:
                problems.append(f"{name}: {label} {knob} values {values}, meta.json says {want!r}")
    return problems


def check_slos(label, rows, meta):
    """slo_pass is pass/fail on the heavy+probe rows exactly when --slo was given."""
    slos = meta.get("params", {}).get("slos") or []
    problems = []
    for r in rows:
        checked = r["phase"] == "heavy+probe" and slos
        if checked and r["slo_pass"] not in ("pass", "fail"):
            problems.append(f"summary.csv: {label} heavy+probe slo_pass {r['slo_pass']!r}")
        if not checked and (r["slo_pass"] or r["slo_detail"]):
            problems.append(f"summary.csv: {label} {r['phase']} has SLO cells")
    if slos and not isinstance(meta.get("slo"), dict):
        problems.append(f"meta.json: slo is {meta.get('slo')!r} with --slo given")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--status", help="the status meta.json must have")
    parser.add_argument("--complete", action="store_true", help="every phase of every config")
    args = parser.parse_args()
    problems = check(args.run_dir, args.status, args.complete)
    for p in problems:
        print(f"check_results: {p}")
    if not problems:
        try:
            with open(os.path.join(args.run_dir, "meta.json")) as f:
                old = folder_version(json.load(f)) < 2
        except (OSError, ValueError):
            old = False
        try:
            with open(os.path.join(args.run_dir, "meta.json")) as f:
                run = json.load(f).get("kind") == "run"
        except (OSError, ValueError):
            run = False
        print(f"check_results: {args.run_dir} is valid"
              + (" (a run folder: one phase of one configuration)" if run else "")
              + (" (old format: no load levels or validity columns)" if old else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
