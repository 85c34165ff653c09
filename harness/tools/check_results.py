#!/usr/bin/python3
"""Checks that a results folder follows harness/RESULTS.md: meta.json parses and has its
keys, every CSV has exactly the documented header and rows of the same width whose numeric
cells parse (and pandas reads them, where it is installed). With --complete it also checks
that every configuration ran every phase with the right streams and one job cost.

usage: check_results.py RUN_DIR [--status STATUS] [--complete]
Exit status 0 when the folder is valid; otherwise each problem is printed and it is 1.
"""
import argparse
import csv
import json
import math
import os
import sys

KEYS = ("config,strategy,workload,fib,payload_bytes,workers,repeat,phase,"
        # the knobs in force and what the server refused of them (issue 7)
        "worker_nice,worker_policy,loop_cpu,worker_cpus,min_workers,max_workers,"
        "worker_idle_timeout_s,max_jobs_per_worker,max_queue,knobs_refused").split(",")
KNOBS = KEYS[8:-1]
COLUMNS = {
    "summary.csv": KEYS + (
        "stream,phase_start_s,phase_end_s,duration_s,count,errors,error_classes,rate_rps,"
        "mean_ms,p50_ms,p50_lo_ms,p50_hi_ms,p90_ms,p95_ms,p99_ms,p99_lo_ms,p99_hi_ms,p999_ms,"
        "max_ms,lateness_p99_ms,job_cost_ms,slo_pass,slo_detail").split(","),
    "series.csv": KEYS + "stream,t_s,window_s,completed,errors,rate_rps,p50_ms,p99_ms,max_ms".split(","),
    "resources.csv": KEYS + "t_s,pid,role,rss_kb,cpu_pct,threads".split(","),
    "metrics.csv": KEYS + (
        "t_s,loop_lag_p50_ms,loop_lag_p99_ms,loop_lag_max_ms,loop_utilisation,jobs_queued,"
        "jobs_running,workers_alive,workers_restarted,jobs_rejected").split(","),
}
TEXT = {"config", "strategy", "workload", "phase", "stream", "error_classes", "role",
        "worker_policy", "worker_cpus", "knobs_refused", "slo_pass", "slo_detail"}
PHASES = ["idle-before", "probe-only", "heavy-only", "heavy+probe", "idle-after"]
STREAMS = {"idle-before": {"none"}, "probe-only": {"probe"}, "heavy-only": {"heavy"},
           "heavy+probe": {"heavy", "probe"}, "idle-after": {"none"}}


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

    tables = {}
    for name, header in COLUMNS.items():
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
        print(f"check_results: {args.run_dir} is valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
