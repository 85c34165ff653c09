"""Writes a synthetic results folder that follows harness/RESULTS.md.

The graph tests use it for the cases a short real run does not produce: repeats (error
bars), a FIB sweep, percentiles left empty, missing files and columns, an interrupted run,
a knob sweep (worker nice) with SLOs, a pool-size sweep beside it; and (make_load) the
layout with load levels and validity checks: capacity and level runs, .hgrm files, invalid
rows.
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


# ---- the layout with load levels and validity checks ------------------------------------------
LOAD_KEYS = KEYS[:8] + ["load_level"] + KEYS[8:]
MACHINE = ["steal_ms", "stall_max_ms", "stall_p99_ms", "harness_invol_cs", "foreign_cpu_pct"]
LOAD_SUMMARY = LOAD_KEYS + SUMMARY[len(KEYS):] + [
    "offered_rps", "offered_pct", "capacity_rps", "rejected", "slowdown_p50", "slowdown_p99",
    "queue_wait_p50_ms", "queue_wait_p99_ms", "service_p50_ms", "service_p99_ms",
    "handback_p50_ms", "handback_p99_ms", "queue_wait_mean_ms", "service_mean_ms",
    "handback_mean_ms", "breakdown_jobs", "queue_depth_mean", "loop_lag_p99_ms",
    "server_cpu_pct"] + MACHINE + ["lag1_autocorr", "p99_clean_ms", "stalled_windows", "valid",
                                   "warnings"]
LOAD_SERIES = LOAD_KEYS + SERIES[len(KEYS):] + MACHINE + ["stalled"]
LOAD_RESOURCES = LOAD_KEYS + RESOURCES[len(KEYS):]
LOAD_METRICS = LOAD_KEYS + METRICS[len(KEYS):]
LEVELS = ("10%", "25%", "50%", "70%", "85%", "100%", "120%")
# Rows flagged invalid: (strategy, repeat, level, stream) -> warnings.
INVALID = {("thread", 2, "85%", "probe"): "machine-stall",
           ("process", 1, "25%", "heavy"): "client-late",
           ("inline", 2, "10%", "probe"): "machine-stall;iid"}


def hgrm_text(p50, p99, count, ticks=5):
    """An .hgrm spectrum (as the harness writes it) of a latency whose quantile q is
    p50 * (1/(1-q)/2) ** k, k chosen so that q = 0.99 gives p99."""
    k = math.log(p99 / p50) / math.log(50)
    out = [f"{'Value':>12} {'Percentile':>12} {'TotalCount':>12} {'1/(1-Percentile)':>12}", ""]
    target = 0.0
    while target < 100.0 * (1 - 1.0 / count):
        q = target / 100
        v = p50 * (1 / (1 - q) / 2) ** k
        out.append(f"{v:12.3f} {q:12f} {max(1, int(q * count)):12d} {1 / (1 - q):12.2f}")
        halvings = int(math.log2(100.0 / (100.0 - target))) + 1
        target += 100.0 / (ticks * 2.0 ** halvings)
    vmax = p50 * (count / 2) ** k
    out.append(f"{vmax:12.3f} {1.0:12f} {count:12d} {'inf':>12}")
    out.append(f"#[Mean    = {p50 * 1.1:12.3f}, StdDeviation   = {p50:12.3f}]")
    out.append(f"#[Max     = {vmax:12.3f}, Total count    = {count:12d}]")
    out.append(f"#[Buckets = {29:12d}, SubBuckets     = {256:12d}]")
    return "\n".join(out) + "\n"


def make_load(out, repeats=2, fibs=(30,), strategies=("inline", "thread", "process"),
              levels=LEVELS, workers=2, seed=3, probe_rate=200.0, level_s=2.0,
              invalid=None, knee=2.0):
    """A folder in the layout with load levels and validity checks: per configuration a
    capacity run (repeat 0: idle, probe-only, heavy-only, heavy+probe, idle) and a level run
    per repeat 1..R (idle, probe-only, one `load` phase per level, idle), interleaved; .hgrm files
    for the load phases; `invalid` ({(strategy, repeat, level, stream): warnings}) flags rows.
    Numbers are plausible, not measured."""
    rnd = random.Random(seed)
    out = Path(out)
    (out / "hgrm").mkdir(parents=True, exist_ok=True)
    invalid = INVALID if invalid is None else invalid
    summary, series, resources, metrics, configs = [], [], [], [], []
    cap = {}
    plan = [(st, fib) for fib in fibs for st in strategies]
    for st, fib in plan:
        job_ms = 4.0 * 1.618 ** (fib - 30)
        par = 1 if st == "inline" else workers
        cap[(st, fib)] = par * 1000.0 / job_ms * {"inline": 0.95, "thread": 0.9,
                                                   "process": 0.85}.get(st, 0.9)
    basis = {fib: max(cap[(st, fib)] for st in strategies) for fib in fibs}

    def key_of(st, fib, rep, phase, level=""):
        config = f"{st}-fib{fib}-w{1 if st == 'inline' else workers}"
        size = 1 if st == "inline" else workers
        return {"config": config, "strategy": st, "workload": "fib", "fib": fib,
                "payload_bytes": None, "workers": size, "repeat": rep, "phase": phase,
                "load_level": level, **knobs_of(st, size, None)}

    def machine(stalled=False):
        return {"steal_ms": 12.0 if stalled else 0.0, "stall_max_ms": 9.0 if stalled else 0.08,
                "stall_p99_ms": 2.0 if stalled else 0.06, "harness_invol_cs": 3,
                "foreign_cpu_pct": 0.5}

    def stream_rows(key, stream, start, dur, rate, p50, p99, job_ms, extra, bad):
        count = int(rate * dur)
        warn = bad or ""
        row = {**key, "stream": stream, "phase_start_s": start, "phase_end_s": start + dur,
               "duration_s": dur, "count": count, "errors": 0, "error_classes": "",
               "rate_rps": rate, "mean_ms": p50 * 1.1, "p50_ms": p50, "p50_lo_ms": p50 * 0.97,
               "p50_hi_ms": p50 * 1.03, "p90_ms": p50 * 1.4, "p95_ms": p50 * 1.6,
               "p99_ms": p99 if count >= 100 else math.nan,
               "p99_lo_ms": p99 * 0.9 if count >= 100 else math.nan,
               "p99_hi_ms": p99 * 1.15 if count >= 368 else math.nan,
               "p999_ms": p99 * 1.4 if count >= 1000 else math.nan, "max_ms": p99 * 1.8,
               "lateness_p99_ms": 0.04 if stream == "probe" or key["phase"] == "load" else None,
               "job_cost_ms": job_ms, **machine("machine-stall" in warn),
               "lag1_autocorr": 0.4 if "iid" in warn else 0.02,
               "p99_clean_ms": (p99 * 0.6 if "machine-stall" in warn else p99)
               if count >= 100 else math.nan,
               "stalled_windows": 2 if "machine-stall" in warn else 0,
               "valid": "no" if warn else "yes", "warnings": warn, **extra}
        if stream == "heavy":
            row.update(slowdown_p50=p50 / job_ms, slowdown_p99=p99 / job_ms)
        summary.append(row)
        w = 0.5
        tw = start + w
        while tw <= start + dur + 1e-9:
            n = int(rate * w * rnd.uniform(0.95, 1.05))
            stalled = "machine-stall" in warn and abs(tw - start - w) < 1e-9
            series.append({**key, "stream": stream, "t_s": tw, "window_s": w, "completed": n,
                           "errors": 0, "rate_rps": n / w, "p50_ms": p50 * rnd.uniform(0.9, 1.1),
                           "p99_ms": p99 * rnd.uniform(0.85, 1.2) if n >= 100 else math.nan,
                           "max_ms": p99 * 1.5, **machine(stalled),
                           "stalled": 1 if stalled else 0})
            tw += w
        return row

    def samples(key, start, dur, st, busy, lag):
        ts = start + 0.5
        while ts <= start + dur + 1e-9:
            resources.append({**key, "t_s": ts, "pid": 1000, "role": "server",
                              "rss_kb": round(9000 + 1500 * busy),  # whole KiB
                              "cpu_pct": 100 * busy if st == "inline" else 20 * busy + 0.5,
                              "threads": 1 if st != "thread" else 1 + workers})
            if st == "process":
                for wk in range(workers):
                    resources.append({**key, "t_s": ts, "pid": 1001 + wk, "role": "worker",
                                      "rss_kb": 4000, "cpu_pct": 95 * busy, "threads": 1})
            resources.append({**key, "t_s": ts, "pid": 0, "role": "machine",
                              "rss_kb": 2_000_000, "cpu_pct": 10 + 180 * busy, "threads": ""})
            metrics.append({**key, "t_s": ts, "loop_lag_p50_ms": lag / 2, "loop_lag_p99_ms": lag,
                            "loop_lag_max_ms": lag * 1.5,
                            "loop_utilisation": min(1.0, 0.05 + busy), "jobs_queued": 0,
                            "jobs_running": 1 if busy else 0, "workers_alive": workers,
                            "workers_restarted": 0, "jobs_rejected": 0})
            ts += 0.5

    def idle(key, start, dur):
        summary.append({**key, "stream": "none", "phase_start_s": start,
                        "phase_end_s": start + dur, "duration_s": dur, "count": 0, "errors": 0,
                        "job_cost_ms": key["_job"], **machine(), "stalled_windows": 0,
                        "valid": "yes", "warnings": ""})

    def hi_base():
        return 0.12 * rnd.uniform(0.9, 1.1)

    responsive = {}
    # The capacity runs first (repeat 0), then the level runs, interleaved per repeat.
    for st, fib in plan:
        job_ms = 4.0 * 1.618 ** (fib - 30)
        t = 0.3
        for phase in PHASES:
            key = key_of(st, fib, 0, phase)
            if phase in ("idle-before", "idle-after"):
                idle({**key, "_job": job_ms}, t, 1.0)
                samples(key, t, 1.0, st, 0, 0.05)
                t += 1.0
                continue
            loaded = phase != "probe-only"
            extra = {"capacity_rps": cap[(st, fib)]} if phase == "heavy-only" else {}
            if loaded:
                extra.update(queue_wait_p50_ms=job_ms * 2, queue_wait_p99_ms=job_ms * 6,
                             service_p50_ms=job_ms, service_p99_ms=job_ms * 1.3,
                             handback_p50_ms=0.03, handback_p99_ms=0.2,
                             queue_wait_mean_ms=job_ms * 2.2, service_mean_ms=job_ms * 1.02,
                             handback_mean_ms=0.04, breakdown_jobs=int(cap[(st, fib)] * 2),
                             queue_depth_mean=3.0,
                             loop_lag_p99_ms=job_ms if st == "inline" else 0.05,
                             server_cpu_pct=190.0 if st != "inline" else 100.0)
            if phase in ("heavy-only", "heavy+probe"):
                stream_rows(key, "heavy", t, 2.0, cap[(st, fib)], job_ms * 3, job_ms * 6,
                            job_ms, {**extra, "rejected": 0}, "")
            if phase in ("probe-only", "heavy+probe"):
                b = hi_base()
                p50 = b * (SLOWDOWN[st] / 4 if loaded else 1)
                stream_rows(key, "probe", t, 2.0, probe_rate, p50, p50 * 3, job_ms,
                            {"offered_rps": probe_rate, "rejected": 0,
                             **({k: v for k, v in extra.items() if k != "capacity_rps"})}, "")
            samples(key, t, 2.0, st, 1 if loaded else 0, job_ms if st == "inline" else 0.05)
            t += 2.0
    for rep in range(1, repeats + 1):
        order = list(plan)
        rnd.shuffle(order)
        for st, fib in order:
            job_ms = 4.0 * 1.618 ** (fib - 30)
            capacity = cap[(st, fib)]
            base = hi_base()
            t = 0.3
            for phase in ("idle-before", "probe-only", "load", "idle-after"):
                if phase.startswith("idle"):
                    key = key_of(st, fib, rep, phase)
                    idle({**key, "_job": job_ms}, t, 1.0)
                    samples(key, t, 1.0, st, 0, 0.05)
                    t += 1.0
                    continue
                if phase == "probe-only":
                    key = key_of(st, fib, rep, phase)
                    stream_rows(key, "probe", t, level_s, probe_rate, base, base * 2.5, job_ms,
                                {"offered_rps": probe_rate, "rejected": 0}, "")
                    samples(key, t, level_s, st, 0, 0.05)
                    t += level_s
                    continue
                for level in levels:
                    key = key_of(st, fib, rep, "load", level)
                    pct = float(level.rstrip("%"))
                    offered = basis[fib] * pct / 100
                    rho = offered / capacity
                    achieved = min(offered, capacity) * rnd.uniform(0.997, 1.0)
                    rejected = int(max(0.0, offered - capacity) * level_s)
                    wait = job_ms * min(rho / max(1 - rho, 0.02), 60 / (1 if st == "inline"
                                                                      else workers))
                    wait *= rnd.uniform(0.9, 1.1)
                    handback = 0.1 if st == "process" else 0.03
                    heavy_p50 = job_ms + wait * 0.7 + handback
                    heavy_p99 = job_ms * 1.3 + wait * 3 + handback * 4
                    hi_slow = {"inline": 1 + 12 * min(rho, 1.3) ** 2 * job_ms / 4,
                               "thread": 1 + 4 * min(rho, 1.3) ** 4,
                               "process": 1 + 1.5 * min(rho, 1.3) ** 3}.get(st, 2)
                    hi_p50 = base * (1 + (hi_slow - 1) * 0.3)
                    hi_p99 = base * 2.5 * hi_slow * rnd.uniform(0.95, 1.05)
                    parts = {"queue_wait_p50_ms": wait * 0.7, "queue_wait_p99_ms": wait * 3,
                             "service_p50_ms": job_ms, "service_p99_ms": job_ms * 1.3,
                             "handback_p50_ms": handback, "handback_p99_ms": handback * 4,
                             "queue_wait_mean_ms": wait * 0.9, "service_mean_ms": job_ms * 1.05,
                             "handback_mean_ms": handback * 1.2,
                             "breakdown_jobs": int(achieved * level_s),
                             "queue_depth_mean": min(rho, 1.5) * 4,
                             "loop_lag_p99_ms": job_ms if st == "inline" else 0.05,
                             "server_cpu_pct": min(rho, 1) * 100 * (1 if st == "inline"
                                                                    else workers),
                             "offered_pct": pct, "capacity_rps": basis[fib]}
                    stream_rows(key, "heavy", t, level_s, achieved, heavy_p50, heavy_p99, job_ms,
                                {**parts, "offered_rps": offered, "rejected": rejected,
                                 "errors": rejected,
                                 "error_classes": f"status_503:{rejected}" if rejected else ""},
                                invalid.get((st, rep, level, "heavy"), ""))
                    stream_rows(key, "probe", t, level_s, probe_rate * rnd.uniform(0.995, 1),
                                hi_p50, hi_p99, job_ms,
                                {**parts, "offered_rps": probe_rate, "rejected": 0,
                                 "capacity_rps": basis[fib]},
                                invalid.get((st, rep, level, "probe"), ""))
                    for stream, p50, p99, n in (
                            ("heavy", heavy_p50, heavy_p99, int(achieved * level_s)),
                            ("probe", hi_p50, hi_p99, int(probe_rate * level_s))):
                        slug = level.replace("%", "pct")
                        (out / "hgrm" / f"{key['config']}-r{rep}-load-{slug}-{stream}.hgrm") \
                            .write_text(hgrm_text(p50, p99, max(n, 2)))
                    samples(key, t, level_s, st, min(rho, 1), job_ms if st == "inline" else 0.05)
                    t += level_s
    for row in summary:
        row.pop("_job", None)
        if row.get("errors") and row.get("error_classes") is None:
            row["error_classes"] = ""
    # meta.json: per configuration its capacity, unloaded /hi p99 and responsive capacity,
    # computed as the harness does (mean over repeats; this level and every lower one).
    for st, fib in plan:
        key = key_of(st, fib, 0, "")
        config = key["config"]
        rows = [r for r in summary if r["config"] == config]
        level_base = [r["p99_ms"] for r in rows if r["phase"] == "probe-only"
                      and r["stream"] == "probe" and r["repeat"] > 0]  # not the capacity run
        base = sum(level_base) / len(level_base)
        best, why = None, ""
        for level in levels:
            lv = [r for r in rows if r["phase"] == "load" and r["load_level"] == level]
            hi = [r["p99_ms"] for r in lv if r["stream"] == "probe"]
            hv = [r for r in lv if r["stream"] == "heavy"]
            m = sum(hi) / len(hi)
            if m > knee * base:
                if best is None:
                    why = (f"/hi p99 at the lowest level ({level}) was {m:.3g} ms, over "
                           f"{knee:g} x the unloaded {base:.3g} ms")
                break
            best = {"offered_rps": hv[0]["offered_rps"], "offered_pct": hv[0]["offered_pct"],
                    "level": level,
                    "heavy_rps": sum(r["rate_rps"] for r in hv) / len(hv),
                    "heavy_p99_ms": sum(r["p99_ms"] for r in hv) / len(hv), "hi_p99_ms": m}
        job_ms = 4.0 * 1.618 ** (fib - 30)
        entry = {"config": config, "strategy": st, "workload": "fib", "fib": fib,
                 "payload_bytes": None, "workers": key["workers"],
                 "job_cost_ms": round(job_ms, 4),
                 "knobs": {k: v for k, v in knobs_of(st, key["workers"], None).items()
                           if k != "knobs_refused"},
                 "slo_pass": None, "capacity_rps": cap[(st, fib)], "hi_unloaded_p99_ms": base,
                 "responsive": best}
        if best is None:
            entry["responsive_why"] = why
        configs.append(entry)
        responsive[config] = best
    write_csv(out / "summary.csv", LOAD_SUMMARY, summary)
    write_csv(out / "series.csv", LOAD_SERIES, series)
    write_csv(out / "resources.csv", LOAD_RESOURCES, resources)
    write_csv(out / "metrics.csv", LOAD_METRICS, metrics)
    by_warning = {}
    for r in summary:
        for w in filter(None, r.get("warnings", "").split(";")):
            by_warning[w] = by_warning.get(w, 0) + 1
    meta = {"run_id": "20240101-120000-synthetic-load", "status": "complete",
            "started": "2024-01-01T12:00:00Z", "ended": "2024-01-01T12:03:00Z",
            "command": ["synthetic_results.py", "--load", str(out)],
            "params": {"strategies": list(strategies), "fibs": list(fibs), "workers": [workers],
                       "repeats": repeats, "phase_s": 2.0, "probe_rate_rps": probe_rate,
                       "heavy_conns": 4, "slos": [], "sweeps": {}, "load": list(levels),
                       "load_basis": "max", "heavy_arrivals": "poisson", "knee_factor": knee,
                       "strict": False},
            "machine": {"cores": 2, "model": "Synthetic CPU (not measured)",
                        "kernel": "Linux 6.1.0-synthetic", "mem_total_kb": 4_000_000,
                        "os": "Debian GNU/Linux 12 (bookworm)", "governor": "performance",
                        "smt": "off", "harness_cpus": None, "server_cpus": None,
                        "shares_cpus": True, "steal_total_ms": 36.0},
            "versions": {"offload_lab": "synthetic", "libuv": "1.44.2"},
            "git_rev": "0000000", "configs": configs, "slo": None,
            "load_basis_rps": {f"fib{fib}": basis[fib] for fib in fibs},
            "validity": {"thresholds": {"rate_pct": 1, "client_late_pct": 10,
                                        "busy_pct": 5, "iid_lag1": 0.3},
                         "rows": len(summary),
                         "invalid_rows": sum(1 for r in summary if r.get("valid") == "no"),
                         "by_warning": by_warning}}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--fibs", default="24,27,30")
    ap.add_argument("--load", action="store_true",
                    help="the layout with load levels and validity checks (default FIB 30)")
    a = ap.parse_args()
    if a.load:
        make_load(a.out, repeats=a.repeats,
                  fibs=[int(x) for x in a.fibs.split(",")] if a.fibs != "24,27,30" else (30,))
    else:
        make(a.out, repeats=a.repeats, fibs=[int(x) for x in a.fibs.split(",")])
    print(a.out)
