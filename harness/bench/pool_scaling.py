#!/usr/bin/python3
"""The table of harness/bench/pool_scaling.sh, from a kept results folder.

    harness/bench/pool_scaling.py RUN_DIR

Per configuration (mean over repeats), from the heavy+probe phase unless named: heavy req/s;
speed-up over the same pool with one worker (same knobs) and over the inline server;
efficiency = speed-up over one worker / workers; /hi p50 and p99 under load and p99 with no
heavy load (probe-only); the server tree's peak RSS (server + workers, summed per sample) and
mean CPU (% of one core); and the machine's mean CPU (% of all its cores).
"""
import json
import math
import sys

import pandas as pd

KEYS = ["config", "strategy", "workers"]


def main(run):
    s = pd.read_csv(f"{run}/summary.csv")
    res = pd.read_csv(f"{run}/resources.csv")
    meta = json.load(open(f"{run}/meta.json"))

    def phase(stream, name, col):
        rows = s[(s["stream"] == stream) & (s["phase"] == name)]
        return rows.groupby("config", sort=False)[col].mean()

    t = pd.DataFrame({
        "heavy_rps": phase("heavy", "heavy+probe", "rate_rps"),
        "p50": phase("probe", "heavy+probe", "p50_ms"),
        "p99": phase("probe", "heavy+probe", "p99_ms"),
        "p99_idle": phase("probe", "probe-only", "p99_ms"),
    })
    first = s.groupby("config", sort=False).first()
    for col in ("strategy", "workers", "job_cost_ms"):
        t[col] = first[col]

    loaded = res[res["phase"] == "heavy+probe"]
    tree = loaded[loaded["role"] != "machine"]
    per_sample = tree.groupby(["config", "repeat", "t_s"])[["rss_kb", "cpu_pct"]].sum()
    by_run = per_sample.groupby(["config", "repeat"]).agg(rss_kb=("rss_kb", "max"),
                                                          cpu_pct=("cpu_pct", "mean"))
    t["rss_mib"] = by_run.groupby("config")["rss_kb"].mean() / 1024
    t["cpu_pct"] = by_run.groupby("config")["cpu_pct"].mean()
    machine = loaded[loaded["role"] == "machine"]
    t["machine_pct"] = machine.groupby("config")["cpu_pct"].mean()
    cores = meta.get("machine", {}).get("cores") or 1
    t["machine_pct"] = t["machine_pct"] / cores

    # The baseline: the strategy without a pool (its flags lack --workers) in the server's list
    # (meta.json strategies); inline in a folder from before the harness recorded it.
    listed = meta.get("strategies") or [{"name": "inline", "knobs": []}]
    on_loop = [x["name"] for x in listed if "workers" not in (x.get("knobs") or [])]
    inline = t[t["strategy"].isin(on_loop)]["heavy_rps"]
    ref_inline = inline.iloc[0] if len(inline) else math.nan
    t["x_inline"] = t["heavy_rps"] / ref_inline

    def one_worker_twin(config):
        """The same configuration with one worker: its label with -w<N>- replaced by -w1-."""
        r = t.loc[config]
        twin = config.replace(f"-w{int(r.workers)}", "-w1", 1)
        return t.loc[twin, "heavy_rps"] if twin in t.index else math.nan

    t["x_w1"] = [t.loc[c, "heavy_rps"] / one_worker_twin(c) for c in t.index]
    t.loc[t["strategy"].isin(on_loop), "x_w1"] = math.nan
    t["efficiency"] = t["x_w1"] / t["workers"]

    def f(v, fmt="{:.2f}"):
        return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

    width = max(len(c) for c in t.index)
    print(f"{'configuration':<{width}}  {'job ms':>6}  {'heavy/s':>8} {'x w1':>5} {'eff':>5} "
          f"{'x inl':>6}  {'/hi p50':>7} {'p99':>7} {'p99 idle':>8}  {'RSS MiB':>7} "
          f"{'CPU %':>6} {'mach %':>6}")
    for c, r in t.iterrows():
        print(f"{c:<{width}}  {f(r.job_cost_ms):>6}  {f(r.heavy_rps, '{:.0f}'):>8} "
              f"{f(r.x_w1, '{:.1f}'):>5} {f(r.efficiency):>5} {f(r.x_inline):>6}  "
              f"{f(r.p50, '{:.3f}'):>7} {f(r.p99, '{:.2f}'):>7} {f(r.p99_idle, '{:.2f}'):>8}  "
              f"{f(r.rss_mib, '{:.1f}'):>7} {f(r.cpu_pct, '{:.0f}'):>6} "
              f"{f(r.machine_pct, '{:.0f}'):>6}")
    m = meta.get("machine", {})
    p = meta.get("params", {})
    print(f"machine (meta.json): {m.get('cores')} cores, {m.get('model')}, {m.get('kernel')}, "
          f"{m.get('os')}; offload-lab {meta.get('versions', {}).get('offload_lab')}; "
          f"run {meta.get('run_id')}, {p.get('repeats')} repeat(s), phases {p.get('phase_s')} s")
    print(f"results: {run}")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
    elif len(sys.argv) != 2:
        sys.exit("usage: harness/bench/pool_scaling.py RUN_DIR")
    else:
        main(sys.argv[1])
