"""Checks of the load-level figures and report against the folder they were drawn from, for
any folder in the layout with load levels (a synthetic one, or a recorded real run): every
expected value is computed here from summary.csv, meta.json and the .hgrm files with plain
pandas, independently of notebooks/load_levels.py; no number is written into a test.

Each check_* takes the unittest.TestCase, the Results and what it inspects.
"""
import json
import math
import re

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba

import offload_graphs as og

REL = 1e-6


def load_rows(run):
    """summary.csv's load rows, with load_level and valid as text."""
    s = pd.read_csv(run / "summary.csv", dtype={"load_level": str, "valid": str, "warnings": str})
    for c in ("valid", "warnings", "p99_clean_ms"):  # (check_results.py checks the layout)
        if c not in s.columns:
            s[c] = "" if c != "p99_clean_ms" else math.nan
    return s[s["phase"] == "load"].fillna({"valid": "", "warnings": ""})


def job_sizes(rows):
    """{config: job size}: 'fib(30)' as the figures title it, else (workload, payload)."""
    out = {}
    for config, g in rows.groupby("config"):
        r = g.iloc[0]
        out[config] = f"fib({int(r['fib'])})" if pd.notna(r["fib"]) else \
            (r["workload"], r["payload_bytes"])
    return out


def artists(fig, prefix):
    """{gid: artist} of the figure's lines and collections whose gid starts with prefix."""
    out = {}
    for ax in fig.axes:
        for a in list(ax.get_lines()) + list(ax.collections) + list(ax.patches):
            gid = a.get_gid()
            if gid and gid.startswith(prefix):
                out[gid] = a
    return out


def xy(line):
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def assert_close(test, got, want, msg=""):
    got, want = np.asarray(got, float), np.asarray(want, float)
    test.assertEqual(got.shape, want.shape, msg)
    both_nan = np.isnan(got) & np.isnan(want)
    test.assertTrue(np.array_equal(np.isnan(got), np.isnan(want)), f"{msg}: {got} vs {want}")
    np.testing.assert_allclose(got[~both_nan], want[~both_nan], rtol=REL, err_msg=msg)


def per_level_means(rows, config):
    """Per level (ascending offered heavy rate): offered rps and the mean over repeats of
    the figures the lines draw."""
    g = rows[rows["config"] == config]
    heavy, probe = g[g["stream"] == "heavy"], g[g["stream"] == "probe"]
    h = heavy.groupby("load_level").agg(offered=("offered_rps", "mean"),
                                        rate=("rate_rps", "mean"), p99=("p99_ms", "mean"))
    h["rejected"] = (heavy["rejected"] / heavy["duration_s"]).groupby(heavy["load_level"]).mean()
    p = probe.groupby("load_level").agg(hi=("p99_ms", "mean"), lo=("p99_lo_ms", "min"),
                                        hi_top=("p99_hi_ms", "max"))
    return h.join(p).sort_values("offered")


def check_latency_vs_load(test, res, fig):
    run = res.path
    rows = load_rows(run)
    meta = json.loads((run / "meta.json").read_text())
    configs = sorted(rows["config"].unique())
    sizes = set(job_sizes(rows).values())
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    for size in sizes:
        if isinstance(size, str):
            test.assertTrue(any(t.startswith(size) for t in titles), (size, titles))
    test.assertEqual(len([t for t in titles]), len(sizes), titles)  # a panel set per size
    means = artists(fig, "hi-mean:")
    test.assertEqual(sorted(means), sorted(f"hi-mean:{c}" for c in configs))
    for config in configs:
        want = per_level_means(rows, config)
        # top: /hi p99, mean over repeats, at the level's offered heavy rate
        x, y = xy(means[f"hi-mean:{config}"])
        assert_close(test, x, want["offered"], f"{config} offered")
        assert_close(test, y, want["hi"], f"{config} /hi p99")
        # each repeat's point, hollow exactly when its row is invalid
        g = rows[(rows["config"] == config) & (rows["stream"] == "probe")]
        heavy = rows[(rows["config"] == config) & (rows["stream"] == "heavy")]
        offered = heavy.set_index(["repeat", "load_level"])["offered_rps"]
        for flag, suffix in (("no", "invalid"), ("yes", "valid")):
            sel = g[(g["valid"] == "no") == (flag == "no")]
            line = artists(fig, f"hi-repeats:{config}:{suffix}").get(
                f"hi-repeats:{config}:{suffix}")
            if sel.empty:
                test.assertIsNone(line, f"{config}: no {suffix} repeats expected")
                continue
            px, py = xy(line)
            want_pts = sorted(zip([offered[(r, lv)] for r, lv in
                                   zip(sel["repeat"], sel["load_level"])], sel["p99_ms"]))
            got_pts = sorted(zip(px, py))
            assert_close(test, got_pts, want_pts, f"{config} {suffix} repeats")
            face = to_rgba(line.get_markerfacecolor())
            test.assertEqual(face == to_rgba("white"), suffix == "invalid", config)
        # the CI band spans the repeats' lowest lower and highest upper bound
        band = artists(fig, f"hi-band:{config}").get(f"hi-band:{config}")
        full = want.dropna(subset=["lo", "hi_top"])
        if band is not None:
            ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
            test.assertAlmostEqual(float(np.nanmin(ys)), float(full["lo"].min()), places=6)
            test.assertAlmostEqual(float(np.nanmax(ys)), float(full["hi_top"].max()), places=6)
        # the unloaded /hi p99 of the level runs, as meta.json gives it
        cfg = next(c for c in meta["configs"] if c["config"] == config)
        ref = artists(fig, f"hi-unloaded:{config}")[f"hi-unloaded:{config}"]
        test.assertAlmostEqual(ref.get_ydata()[0], cfg["hi_unloaded_p99_ms"],
                               delta=max(1e-3, 0.01 * cfg["hi_unloaded_p99_ms"]))
        test.assertEqual(ref.get_color(), means[f"hi-mean:{config}"].get_color())
        # the responsive capacity, where meta.json has one
        star = artists(fig, f"responsive:{config}").get(f"responsive:{config}")
        if cfg["responsive"] is None:
            test.assertIsNone(star, config)
        else:
            sx, sy = xy(star)
            test.assertAlmostEqual(sx[0], cfg["responsive"]["offered_rps"], places=6)
            test.assertAlmostEqual(sy[0], cfg["responsive"]["hi_p99_ms"], places=6)
        # middle and bottom: heavy p99, achieved rate, 503s per second
        assert_close(test, xy(artists(fig, f"heavy-mean:{config}")[f"heavy-mean:{config}"])[1],
                     want["p99"], f"{config} heavy p99")
        assert_close(test, xy(artists(fig, f"rate-mean:{config}")[f"rate-mean:{config}"])[1],
                     want["rate"], f"{config} heavy rate")
        rej = artists(fig, f"rate-503:{config}").get(f"rate-503:{config}")
        if (want["rejected"] > 0).any():
            rx, ry = xy(rej)
            assert_close(test, ry, want.set_index("offered").loc[rx, "rejected"],
                         f"{config} 503s")
        else:
            test.assertIsNone(rej, f"{config} drew 503s it did not answer")
    # the note under the figure counts the invalid rows drawn
    note = [t.get_text() for t in fig.texts if t.get_gid() == "note"]
    bad = int((rows["valid"] == "no").sum())
    test.assertEqual(len(note), 1)
    if (rows["valid"] == "").all():
        test.assertIn("validity not recorded", note[0])
    elif bad:
        test.assertIn(f"{bad} of {len(rows)} rows drawn are invalid", note[0].replace("\n", " "))
    else:
        test.assertIn(f"all {len(rows)} rows drawn passed", note[0].replace("\n", " "))


def check_latency_breakdown(test, res, fig):
    rows = load_rows(res.path)
    heavy = rows[rows["stream"] == "heavy"]
    means = [f"{p}_mean_ms" for p in ("queue_wait", "service", "handback")]
    stat = "mean" if set(means) <= set(heavy.columns) and heavy[means].notna().any().any() \
        else "p50"
    bars = artists(fig, f"bar-{stat}:")
    test.assertTrue(bars)
    for gid, rect in bars.items():
        _, part, config, level = gid.split(":")
        sel = heavy[(heavy["config"] == config) & (heavy["load_level"] == level)]
        want = sel[f"{part}_{stat}_ms"].mean()
        test.assertAlmostEqual(rect.get_height(), 0 if math.isnan(want) else want, places=6,
                               msg=gid)
    levels = heavy.groupby("config")["load_level"].nunique()
    for config, n in levels.items():
        test.assertEqual(len([g for g in bars if g.startswith(f"bar-{stat}:service:{config}:")]),
                         n)
    for gid, line in artists(fig, "p99:").items():  # each part's p99, mean over repeats
        _, part, config = gid.split(":")
        want = heavy[heavy["config"] == config].groupby("load_level")[f"{part}_p99_ms"].mean()
        allowed = list(want.dropna()) + [0.001]  # a level without the figure: at the floor
        for y in line.get_ydata():
            test.assertTrue(np.isclose(allowed, y, rtol=1e-9).any(), (gid, y))


def hgrm_values(path):
    vals = []
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) == 4 and not line.startswith("#") and f[3] != "inf":
            try:
                vals.append((1 / (1 - float(f[1])), float(f[0])))
            except ValueError:
                pass
    return vals


def check_hgrm_spectrum(test, res, fig):
    run = res.path
    rows = load_rows(run)
    meta = json.loads((run / "meta.json").read_text())
    lines = artists(fig, "hgrm:")
    test.assertTrue(lines)
    levels = {gid.split(":")[2]: None for gid in lines}
    for gid, line in lines.items():
        _, stream, config, rep = gid.split(":")
        level = re.search(r"level (\S+)", line.axes.get_title()).group(1)
        slug = level.replace("%", "pct")
        path = run / "hgrm" / f"{config}-{rep}-load-{slug}-{stream}.hgrm"
        want = hgrm_values(path)
        x, y = xy(line)
        assert_close(test, x, [w[0] for w in want], gid)
        np.testing.assert_allclose(y, [max(w[1], 0.001) for w in want], rtol=1e-9)
        levels[config] = level
    # the default level: the highest offered below every configuration's capacity, if any
    caps = {c["config"]: c.get("capacity_rps") or math.nan for c in meta["configs"]}
    heavy = rows[rows["stream"] == "heavy"]
    offered = heavy.groupby("load_level")["offered_rps"].mean().sort_values()
    below = [lv for lv, o in offered.items()
             if all(o < caps.get(c, math.nan) for c in heavy["config"].unique())]
    if below and len(set(job_sizes(rows).values())) == 1:
        test.assertEqual(set(levels.values()), {below[-1]})
    for ax in fig.axes:
        if ax.get_xlabel():
            test.assertEqual(ax.get_xscale(), "log")


def check_report(test, res, html):
    meta = json.loads((res.path / "meta.json").read_text())
    head = html.split("<h2>Figures</h2>")[0]
    answer = head.split("<h2>The answer: responsive capacity</h2>")[1].split("<h2>")[0]
    for cfg in meta["configs"]:
        row = re.search(r"<tr>((?:(?!</tr>).)*?>" + re.escape(cfg["config"]) + r"<.*?)</tr>",
                        answer)
        test.assertIsNotNone(row, cfg["config"])
        if cfg["responsive"] is None:
            test.assertIn(">none<", row.group(1))
        else:
            test.assertIn(f">{cfg['responsive']['level']}<", row.group(1))
    v = meta.get("validity") or {"invalid_rows": 0}
    if v["invalid_rows"]:
        test.assertIn(f"{v['invalid_rows']} of {v['rows']} rows", head)
        for w in (w for w, n in v["by_warning"].items() if n):
            test.assertIn(f"<code>{w}</code>", head)
        test.assertIn('<tr class="invalid">', head)
    # the answer comes first, before the notes and the tables
    test.assertLess(html.index("The answer"), html.index("<h2>Summary</h2>"))
    machine = meta.get("machine", {})
    if machine.get("governor"):
        test.assertIn(f"governor {machine['governor']}", head)


def check_all(test, run, out):
    """Every figure of a folder with load levels, the load figures checked value by value,
    and its report."""
    res = og.load(run)
    report, rendered = og.render(res, out)
    left = {n: str(w) for n, png, w in rendered if png is None}
    test.assertEqual(set(left) - og.SWEEP_ONLY, set(), left)
    check_latency_vs_load(test, res, og.figure(res, "latency_vs_load"))
    check_latency_breakdown(test, res, og.figure(res, "latency_breakdown"))
    check_hgrm_spectrum(test, res, og.figure(res, "hgrm_spectrum"))
    check_report(test, res, report.read_text())
    return res, rendered
