#!/usr/bin/python3
"""Checks that a results folder follows harness/RESULTS.md: meta.json parses and has its
keys, every CSV has exactly the documented header and rows of the same width whose numeric
cells parse (and pandas reads them, where it is installed). With --complete it also checks
that every configuration ran every phase with the right streams and one job cost, and in a
folder with load levels every level of every repeat, its .hgrm files and the validity counts.

A folder written before load levels and validity checks (meta.json without params.load, CSVs
without load_level) is checked against the older layout and reported as "old format".

usage: check_results.py RUN_DIR [--status STATUS] [--complete]
Exit status 0 when the folder is valid; otherwise each problem is printed and it is 1.
"""
import argparse
import csv
import json
import math
import os
import sys

OLD_KEYS = ("config,strategy,workload,fib,payload_bytes,workers,repeat,phase,"
            # the knobs in force and what the server refused of them
            "worker_nice,worker_policy,loop_cpu,worker_cpus,min_workers,max_workers,"
            "worker_idle_timeout_s,max_jobs_per_worker,max_queue,knobs_refused").split(",")
KNOBS = OLD_KEYS[8:-1]
KEYS = OLD_KEYS[:8] + ["load_level"] + OLD_KEYS[8:]
OLD_COLUMNS = {
    "summary.csv": OLD_KEYS + (
        "stream,phase_start_s,phase_end_s,duration_s,count,errors,error_classes,rate_rps,"
        "mean_ms,p50_ms,p50_lo_ms,p50_hi_ms,p90_ms,p95_ms,p99_ms,p99_lo_ms,p99_hi_ms,p999_ms,"
        "max_ms,lateness_p99_ms,job_cost_ms,slo_pass,slo_detail").split(","),
    "series.csv": OLD_KEYS + "stream,t_s,window_s,completed,errors,rate_rps,p50_ms,p99_ms,max_ms".split(","),
    "resources.csv": OLD_KEYS + "t_s,pid,role,rss_kb,cpu_pct,threads".split(","),
    "metrics.csv": OLD_KEYS + (
        "t_s,loop_lag_p50_ms,loop_lag_p99_ms,loop_lag_max_ms,loop_utilisation,jobs_queued,"
        "jobs_running,workers_alive,workers_restarted,jobs_rejected").split(","),
}
# The machine's figures, in summary.csv per phase and in series.csv per window.
MACHINE = "steal_ms,stall_max_ms,stall_p99_ms,harness_invol_cs,foreign_cpu_pct".split(",")
# Load levels and validity: columns appended to summary.csv and series.csv, in this order.
SUMMARY_ADDED = (
    "offered_rps,offered_pct,capacity_rps,rejected,slowdown_p50,slowdown_p99,"
    "queue_wait_p50_ms,queue_wait_p99_ms,service_p50_ms,service_p99_ms,handback_p50_ms,"
    "handback_p99_ms,queue_wait_mean_ms,service_mean_ms,handback_mean_ms,breakdown_jobs,"
    "queue_depth_mean,loop_lag_p99_ms,server_cpu_pct").split(",") + MACHINE + \
    "lag1_autocorr,p99_clean_ms,stalled_windows,valid,warnings".split(",")
COLUMNS = {name: KEYS + cols[len(OLD_KEYS):] for name, cols in OLD_COLUMNS.items()}
COLUMNS["summary.csv"] = COLUMNS["summary.csv"] + SUMMARY_ADDED
COLUMNS["series.csv"] = COLUMNS["series.csv"] + MACHINE + ["stalled"]
TEXT = {"config", "strategy", "workload", "phase", "stream", "error_classes", "role",
        "worker_policy", "worker_cpus", "knobs_refused", "slo_pass", "slo_detail",
        "load_level", "valid", "warnings"}
PHASES = ["idle-before", "probe-only", "heavy-only", "heavy+probe", "idle-after"]
STREAMS = {"idle-before": {"none"}, "probe-only": {"probe"}, "heavy-only": {"heavy"},
           "heavy+probe": {"heavy", "probe"}, "idle-after": {"none"}, "load": {"heavy", "probe"}}
WARNINGS = {"rate", "client-late", "machine-stall", "machine-busy", "samples", "iid", "poisson",
            "drift"}
# Summary columns an idle row (stream none) may fill: the machine's and the verdict.
IDLE_FILLED = set(MACHINE) | {"valid", "warnings"}
BREAKDOWN = [c for c in SUMMARY_ADDED if c.startswith(("queue_wait", "service", "handback"))]


def check(run_dir, status, complete):
    problems = []
    try:
        with open(os.path.join(run_dir, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        return [f"meta.json: {e}"]
    for key in ["run_id", "status", "started", "ended", "command", "params", "machine",
                "versions", "git_rev", "configs", "slo"]:
        if key not in meta:
            problems.append(f"meta.json: no {key}")
    for key in ["cores", "model", "kernel", "mem_total_kb", "os"]:
        if key not in meta.get("machine", {}):
            problems.append(f"meta.json: machine has no {key}")
    if status and meta.get("status") != status:
        problems.append(f"meta.json: status {meta.get('status')!r}, expected {status!r}")
    new = is_new_format(meta)
    if new:
        problems += check_new_meta(meta)

    tables = {}
    for name, header in (COLUMNS if new else OLD_COLUMNS).items():
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
            record = dict(zip(header, row))
            for col, cell in record.items():
                if col in TEXT or cell == "":
                    continue
                try:
                    if not math.isfinite(float(cell)):
                        problems.append(f"{name}:{n}: {col} is {cell}")
                except ValueError:
                    problems.append(f"{name}:{n}: {col}={cell!r} is not a number")
            records.append(record)
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

    if complete and not problems:
        summary = tables["summary.csv"]
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
            expected = {"server", "machine"} | ({"worker"} if config["strategy"] == "process" else set())
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


def is_new_format(meta):
    """Load levels and validity checks: meta.json's params name the levels (maybe [])."""
    return isinstance(meta.get("params"), dict) and "load" in meta["params"]


def check_new_meta(meta):
    """The meta.json keys added with load levels and validity checks."""
    problems = []
    params, machine = meta.get("params", {}), meta.get("machine", {})
    for key in ["load", "load_basis", "heavy_arrivals", "knee_factor", "strict"]:
        if key not in params:
            problems.append(f"meta.json: params has no {key}")
    if not isinstance(params.get("load"), list):
        problems.append(f"meta.json: params.load is {params.get('load')!r}, not a list")
    if params.get("load_basis") not in ("max", "own"):
        problems.append(f"meta.json: params.load_basis is {params.get('load_basis')!r}")
    if params.get("heavy_arrivals") not in ("poisson", "fixed"):
        problems.append(f"meta.json: params.heavy_arrivals is {params.get('heavy_arrivals')!r}")
    for key in ["governor", "smt", "harness_cpus", "server_cpus", "shares_cpus",
                "steal_total_ms"]:
        if key not in machine:
            problems.append(f"meta.json: machine has no {key}")
    if not isinstance(meta.get("load_basis_rps"), dict):
        problems.append("meta.json: load_basis_rps is not an object")
    validity = meta.get("validity")
    if not isinstance(validity, dict) or \
            not {"thresholds", "rows", "invalid_rows", "by_warning"} <= set(validity):
        problems.append(f"meta.json: validity {validity!r} lacks thresholds, rows, "
                        "invalid_rows or by_warning")
    for config in meta.get("configs") or []:
        label = config.get("config")
        for key in ["capacity_rps", "hi_unloaded_p99_ms", "responsive"]:
            if key not in config:
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
                old = not is_new_format(json.load(f))
        except (OSError, ValueError):
            old = False
        print(f"check_results: {args.run_dir} is valid"
              + (" (old format: no load levels or validity columns)" if old else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
