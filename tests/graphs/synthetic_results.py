"""Writes a synthetic results folder that follows harness/RESULTS.md.

The graph tests use it for the cases a short real run does not produce: repeats (error
bars), a FIB sweep, percentiles left empty, missing files and columns, an interrupted run,
a knob sweep (worker nice) with SLOs, a pool-size sweep beside it.
Numbers are plausible, not measured: never use this folder to draw conclusions.

    /usr/bin/python3 tests/graphs/synthetic_results.py OUT_DIR [--repeats R] [--fibs 24,27,30]
"""
import argparse
import csv
import json
import math
import random
import sys
from pathlib import Path

# parse_slo, as the graphs read the objectives.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "notebooks"))

KEYS = ["config", "strategy", "workload", "fib", "payload_bytes", "workers", "repeat", "phase",
        "worker_nice", "worker_policy", "loop_cpu", "worker_cpus", "min_workers", "max_workers",
        "worker_idle_timeout_s", "max_jobs_per_worker", "max_queue", "knobs_refused"]
SUMMARY = KEYS + ["stream", "phase_start_s", "phase_end_s", "duration_s", "count", "errors",
                  "error_classes", "rate_rps", "mean_ms", "p50_ms", "p50_lo_ms", "p50_hi_ms",
                  "p90_ms", "p95_ms", "p99_ms", "p99_lo_ms", "p99_hi_ms", "p999_ms", "max_ms",
                  "lateness_p99_ms", "job_cost_ms", "slo_pass", "slo_detail"]
SERIES = KEYS + ["stream", "t_s", "window_s", "completed", "errors", "rate_rps", "p50_ms",
                 "p99_ms", "max_ms"]
RESOURCES = KEYS + ["t_s", "pid", "role", "rss_kb", "cpu_pct", "threads"]
METRICS = KEYS + ["t_s", "loop_lag_p50_ms", "loop_lag_p99_ms", "loop_lag_max_ms",
                  "loop_utilisation", "jobs_queued", "jobs_running", "workers_alive",
                  "workers_restarted", "jobs_rejected"]
PHASES = ["idle-before", "probe-only", "heavy-only", "heavy+probe", "idle-after"]
# How much a heavy load slows /hi, per strategy: the shape the project expects to find.
SLOWDOWN = {"inline": 40.0, "thread": 6.0, "process": 3.0}


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.4f}" if isinstance(x, float) else str(x)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([fmt(r.get(c)) for c in header])


def knobs_of(strategy, workers, nice):
    """The knob columns as the harness writes them: empty where a knob does not apply."""
    k = {c: None for c in KEYS[8:]}
    k["knobs_refused"] = ""
    if strategy != "inline":
        k.update(worker_nice=nice or 0, worker_policy="normal", max_queue=128)
    if strategy == "process":
        k.update(min_workers=workers, max_workers=workers, worker_idle_timeout_s=10,
                 max_jobs_per_worker=0)
    return k


def check_slos(summary, slos):
    """Marks each run's heavy+probe rows pass/fail against `slos` (hi.p99 and heavy.rps
    bounds only, as the harness would); returns {config: (all repeats passed, mean rps)}."""
    from results_folder import parse_slo
    runs = {}
    for r in summary:
        if r["phase"] == "heavy+probe":
            runs.setdefault((r["config"], r["repeat"]), {})[r["stream"]] = r
    verdicts = {}
    for (config, _rep), streams in runs.items():
        checks, ok = [], True
        for text in slos:
            slo = parse_slo(text)
            row = streams.get(slo["stream"], {})
            v = row.get("p99_ms" if slo["metric"] == "p99" else "rate_rps", math.nan)
            good = v == v and (v < slo["bound"] if slo["op"] == "<" else v > slo["bound"])
            ok = ok and good
            checks.append(f"{text}: {v:.3g} {'pass' if good else 'fail'}")
        for row in streams.values():
            row.update(slo_pass="pass" if ok else "fail", slo_detail="; ".join(checks))
        passed, rates = verdicts.get(config, (True, []))
        verdicts[config] = (passed and ok, rates + [streams["heavy"]["rate_rps"]])
    return {c: (ok, sum(r) / len(r)) for c, (ok, r) in verdicts.items()}


def make(out, repeats=2, fibs=(24, 27, 30), strategies=("inline", "thread", "process"),
         phase_s=2.0, workers=2, seed=1, probe_rate=200.0, payloads=None, nices=None, slos=None):
    """payloads (bytes): a gpg run sweeping payload sizes instead of a fib run sweeping FIB.
    nices: sweep worker-nice over the pools (nice 19 trades a little heavy throughput for a
    faster /hi); slos: objectives like 'hi.p99<2ms', 'heavy.rps>300' checked per run.
    workers: the pools' size, or a tuple of sizes to sweep (inline then runs once, at 1,
    as the harness runs it)."""
    rnd = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = tuple(workers) if isinstance(workers, (tuple, list)) else (workers,)
    summary, series, resources, metrics, configs = [], [], [], [], []
    for strategy, load, nice, size in [
            (st, ld, n, w) for st in strategies for ld in (payloads or fibs)
            for n in ((nices or [None]) if st != "inline" else [None])
            for w in (sizes if st != "inline" or len(sizes) == 1 else (1,))]:
        if payloads:  # gpg: ~8 ms of gpg spawn and key work, plus the bulk decryption
            workload, fib, payload = "gpg", None, load
            job_ms = 8.0 + load / 1048576 * 6.0
            config = f"{strategy}-gpg{load}-w{size}"
        else:  # fib(30) ~ 4 ms here; grows by phi per step
            workload, fib, payload = "fib", load, None
            job_ms = 4.0 * 1.618 ** (fib - 30)
            config = f"{strategy}-fib{fib}-w{size}"
        if nice is not None:
            config += f"-nice{nice}"
        knobs = knobs_of(strategy, size, nice)
        configs.append({"config": config, "strategy": strategy, "workload": workload,
                        "fib": fib, "payload_bytes": payload, "workers": size,
                        "job_cost_ms": round(job_ms, 4),
                        "knobs": {k: v for k, v in knobs.items() if k != "knobs_refused"}})
        for rep in range(1, repeats + 1):
            t = 0.3  # server start-up
            for phase in PHASES:
                key = {"config": config, "strategy": strategy, "workload": workload,
                       "fib": fib, "payload_bytes": payload, "workers": size,
                       "repeat": rep, "phase": phase, **knobs}
                start, end = t, t + phase_s
                streams = {"probe-only": ["probe"], "heavy-only": ["heavy"],
                           "heavy+probe": ["heavy", "probe"]}.get(phase, [])
                if not streams:
                    summary.append({**key, "stream": "none", "phase_start_s": start,
                                    "phase_end_s": end, "duration_s": phase_s,
                                    "count": 0, "errors": 0, "job_cost_ms": job_ms})
                loaded = phase in ("heavy-only", "heavy+probe")
                for stream in streams:
                    if stream == "heavy":
                        par = 1 if strategy == "inline" else size
                        rate = par * 1000.0 / job_ms * rnd.uniform(0.85, 0.95)
                        rate *= 0.93 if nice == 19 else 1.0
                        p50 = job_ms * 2 * rnd.uniform(0.9, 1.1)
                    else:
                        rate = probe_rate * rnd.uniform(0.995, 1.0)
                        base = 0.12 * rnd.uniform(0.9, 1.1)
                        slow = SLOWDOWN[strategy] * min(1.0, job_ms / 5) if loaded else 1
                        slow /= 3 if nice == 19 else 1
                        p50 = base * max(1.0, slow / 4)
                    count = int(rate * phase_s)
                    p99 = p50 * (3 if stream == "probe" and loaded else 1.6)
                    p99 *= rnd.uniform(0.9, 1.2)
                    few = count < 100  # too few samples for a p99
                    summary.append({**key, "stream": stream, "phase_start_s": start,
                                    "phase_end_s": end, "duration_s": phase_s,
                                    "count": count, "errors": 0, "error_classes": "",
                                    "rate_rps": rate, "mean_ms": p50 * 1.1, "p50_ms": p50,
                                    "p50_lo_ms": p50 * 0.97, "p50_hi_ms": p50 * 1.03,
                                    "p90_ms": p50 * 1.4, "p95_ms": p50 * 1.5,
                                    "p99_ms": math.nan if few else p99,
                                    "p99_lo_ms": math.nan if few else p99 * 0.9,
                                    "p99_hi_ms": math.nan if few else p99 * 1.15,
                                    "p999_ms": math.nan if count < 1000 else p99 * 1.3,
                                    "max_ms": p99 * 1.5,
                                    "lateness_p99_ms": 0.05 if stream == "probe" else None,
                                    "job_cost_ms": job_ms})
                    w = 0.5
                    tw = start + w
                    while tw <= end + 1e-9:
                        n = int(rate * w * rnd.uniform(0.9, 1.1))
                        row = {**key, "stream": stream, "t_s": tw, "window_s": w,
                               "completed": n, "errors": 0, "rate_rps": n / w}
                        if n:
                            wp50 = p50 * rnd.uniform(0.8, 1.25)
                            row.update(p50_ms=wp50, max_ms=p99 * rnd.uniform(1, 2),
                                       p99_ms=p99 * rnd.uniform(0.8, 1.3) if n >= 100
                                       else math.nan)
                        series.append(row)
                        tw += w
                ts = start + 0.5
                while ts <= end + 1e-9:
                    busy = loaded and strategy != "inline"
                    resources.append({**key, "t_s": ts, "pid": 1000, "role": "server",
                                      "rss_kb": 9000 + (1500 if loaded else 0),
                                      "cpu_pct": 100 if loaded and strategy == "inline"
                                      else (25 if phase != "idle-before" and
                                            phase != "idle-after" else 0.5),
                                      "threads": 1 if strategy != "thread" else 1 + size})
                    if strategy == "process":
                        for wk in range(size):
                            resources.append({**key, "t_s": ts, "pid": 1001 + wk,
                                              "role": "worker", "rss_kb": 4000,
                                              "cpu_pct": 95 if busy else 0, "threads": 1})
                    resources.append({**key, "t_s": ts, "pid": 0, "role": "machine",
                                      "rss_kb": 2_000_000, "cpu_pct": 190 if loaded else 10,
                                      "threads": ""})
                    lag = (job_ms if strategy == "inline" and loaded else 0.05)
                    metrics.append({**key, "t_s": ts, "loop_lag_p50_ms": lag / 2,
                                    "loop_lag_p99_ms": lag, "loop_lag_max_ms": lag * 1.5,
                                    "loop_utilisation": 0.95 if strategy == "inline" and loaded
                                    else (0.2 if loaded else 0.01),
                                    "jobs_queued": 0, "jobs_running": 1 if loaded else 0,
                                    "workers_alive": size, "workers_restarted": 0,
                                    "jobs_rejected": 0})
                    ts += 0.5
                t = end
    verdicts = check_slos(summary, slos) if slos else {}
    for c in configs:
        if c["config"] in verdicts:
            c["slo_pass"], c["heavy_loaded_rps"] = verdicts[c["config"]]
    passing = [(rps, c) for c, (ok, rps) in verdicts.items() if ok]
    chosen = max(passing)[1] if passing else None
    write_csv(out / "summary.csv", SUMMARY, summary)
    write_csv(out / "series.csv", SERIES, series)
    write_csv(out / "resources.csv", RESOURCES, resources)
    write_csv(out / "metrics.csv", METRICS, metrics)
    meta = {"run_id": "20240101-120000-synthetic", "status": "complete",
            "started": "2024-01-01T12:00:00Z", "ended": "2024-01-01T12:01:00Z",
            "command": ["synthetic_results.py", str(out)],
            "params": {"strategies": list(strategies), "fibs": list(fibs),
                       "workers": list(sizes) if len(sizes) > 1 else workers,
                       "repeats": repeats, "phase_s": phase_s, "probe_rate": probe_rate,
                       "heavy_conns": 4, "slos": list(slos or []),
                       "sweeps": {"worker-nice": [str(n) for n in nices]} if nices else {}},
            "machine": {"cores": 2, "model": "Synthetic CPU (not measured)",
                        "kernel": "6.1.0-synthetic", "mem_total_kb": 4_000_000,
                        "os": "Debian GNU/Linux 12 (bookworm)"},
            "versions": {"offload_lab": "synthetic", "libuv": "1.44.2"},
            "git_rev": "0000000", "configs": configs,
            "slo": {"chosen": chosen, "chosen_pass": chosen is not None,
                    "why": "the best: passes every SLO with the highest heavy throughput"
                    if chosen else "none: no configuration passed every SLO"} if slos else None}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--fibs", default="24,27,30")
    a = ap.parse_args()
    make(a.out, repeats=a.repeats, fibs=[int(x) for x in a.fibs.split(",")])
    print(a.out)
