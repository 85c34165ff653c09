"""report.html: one self-contained page (images inlined as data: URIs, no scripts, no network).
It opens with the answer (each configuration's responsive capacity, when the run had load
levels) and the validity summary, then the notes, the SLO verdicts (when the run had --slo),
the tables, the figures, the parameters and the machine.
"""
import base64
import html
import json
from pathlib import Path

from figure_parts import NotDrawn, absence
from figures import HOW_TO_READ
from load_levels import has_levels, meaning, validity
from results_folder import EMPTY_KNOB, KNOB_COLUMNS, human_bytes
from summary_table import INVALID_MARK, answer, fmt_cell, levels_table, overview

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 1240px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #f3f3f3; } td.t, th.t { text-align: left; white-space: nowrap; }
td.na { color: #a00; }
td.pass { color: #060; font-weight: 600; } td.fail { color: #a00; font-weight: 600; }
.kv td:first-child { text-align: left; font-weight: 600; background: #fafafa; }
.kv td { text-align: left; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #333; max-width: 1100px; }
.note { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.4em 0.8em; margin: 0.4em 0; }
.missing { background: #fbeaea; border-left: 4px solid #c00; padding: 0.4em 0.8em; }
.absent { background: #f3f3f3; border-left: 4px solid #999; padding: 0.4em 0.8em; }
.scroll { overflow-x: auto; }
tr.invalid td { background: #fdecec; } td.invalid { color: #a00; font-weight: 600; }
.answer { background: #eef6ee; border-left: 4px solid #2a8a2a; padding: 0.4em 0.8em; }
td.none { color: #a00; font-weight: 600; } td.w { white-space: normal; min-width: 18em; }
"""


def esc(v):
    return html.escape(str(v), quote=True)


def data_uri(png_path):
    return "data:image/png;base64," + base64.b64encode(Path(png_path).read_bytes()).decode()


def kv_table(pairs):
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in pairs)
    return f'<table class="kv">{rows}</table>'


def value_text(v):
    if isinstance(v, bool):  # as the JSON says it, not Python's True/False
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v)
    return "" if v is None else v


def table_html(df, text=(), fmt=None, row_class=None, wrap=()):
    """A DataFrame as an HTML table: text columns left-aligned (those in wrap may wrap),
    numbers by fmt_cell (or fmt(column, value)), 'n/a' in red; row_class(row) may mark a row
    (e.g. 'invalid')."""
    head = "".join(f'<th class="{"t" if c in text else ""}">{esc(c)}</th>' for c in df.columns)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            s = (fmt(c, v) if fmt else None)
            if s is None:
                s = "" if isinstance(v, str) and v == "" else fmt_cell(v)
            cls = "t" if c in text else ("na" if s == "n/a" else "")
            if c in wrap:
                cls += " w"
            if isinstance(s, str) and s.startswith(INVALID_MARK):
                cls += " invalid"
            if s == "none":
                cls += " none"
            cells.append(f'<td class="{cls.strip()}">{esc(s)}</td>')
        cls = row_class(r) if row_class else ""
        body.append(f'<tr class="{cls}">' if cls else "<tr>")
        body[-1] += "".join(cells) + "</tr>"
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'


def answer_html(res):
    """The answer first: each configuration's responsive capacity, per job size."""
    if not has_levels(res):
        return ('<h2>The answer: responsive capacity</h2><p class="absent">Not measured in '
                "this run: it has no load levels (a folder from before them, or "
                "<code>--load none</code>). <code>make experiment</code> measures each "
                "configuration over a grid of offered loads.</p>")
    df = answer(res)
    knee = df.attrs.get("knee_factor", 2)
    parts = ["<h2>The answer: responsive capacity</h2>",
             f'<p class="answer">For each configuration, the <b>highest offered heavy load at '
             f"which <code>/hi</code> p99 stays within {knee:g}× its unloaded p99</b> (this "
             "level and every lower one, mean over repeats), with the heavy throughput and "
             "heavy p99 there. Configurations are ranked only against those of the same "
             "workload and job size.</p>"]
    for size, g in df.groupby("job size", sort=False):
        best = g[g["rank in its job size"] == 1]
        if len(best):
            b = best.iloc[0]
            others = [c for c in best["configuration"]][1:]
            tie = f" (tied with {', '.join(others)})" if others else ""
            parts.append(f"<p><b>{esc(size)}</b>: <b>{esc(b['configuration'])}</b>{esc(tie)} "
                         f"stays responsive up to <b>{fmt_cell(b['offered there (req/s)'])} "
                         f"heavy req/s offered</b> (level {esc(b['responsive capacity'])}), "
                         f"completing {fmt_cell(b['heavy req/s there'])} req/s with heavy p99 "
                         f"{fmt_cell(b['heavy p99 there (ms)'])} ms.</p>")
        else:
            parts.append(f"<p><b>{esc(size)}</b>: no configuration kept /hi p99 within "
                         f"{knee:g}× its unloaded p99 even at the lowest level.</p>")
    shown = df.drop(columns=["line"])
    if (shown["why none"] == "").all():
        shown = shown.drop(columns=["why none"])
    parts.append(table_html(shown, text={"job size", "configuration", "responsive capacity",
                                         "why none", "rank in its job size"},
                            wrap={"why none"}))
    if "summary.csv" in df.attrs.get("source", []):
        parts.append('<p class="sub">meta.json gives no responsive capacity for some '
                     "configurations (e.g. an interrupted run): computed from summary.csv by "
                     "the same rule.</p>")
    return "".join(parts)


def validity_html(res):
    """How many rows the validity checks flagged, by warning, with what each one means."""
    v = validity(res)
    if v is None:
        return ""
    parts = ["<h2>Validity</h2>"]
    n, bad = v.get("rows"), v.get("invalid_rows") or 0
    if not bad:
        parts.append(f"<p>All {esc(n)} rows of summary.csv passed the validity checks.</p>")
    else:
        parts.append(f'<p class="note"><b>{esc(bad)} of {esc(n)} rows</b> of summary.csv are '
                     f"marked invalid ({INVALID_MARK} in the tables, hollow markers in the "
                     "figures): their figure may not be the server's alone. They are shown, "
                     "never dropped.</p>")
    if v["by_warning"]:
        rows = "".join(f'<tr><td class="t"><code>{esc(w)}</code></td><td>{esc(c)}</td>'
                       f'<td class="t">{esc(meaning(w))}</td></tr>'
                       for w, c in sorted(v["by_warning"].items(), key=lambda kv: -kv[1]))
        parts.append('<table><tr><th class="t">warning</th><th>rows</th>'
                     f'<th class="t">meaning</th></tr>{rows}</table>')
    if v.get("thresholds"):
        parts.append('<p class="sub">thresholds: ' + esc(", ".join(
            f"{k} {value_text(x)}" for k, x in v["thresholds"].items())) + "</p>")
    return "".join(parts)


def levels_html(res):
    df = levels_table(res)
    if df.empty:
        return ""
    return ("<h2>Load levels</h2><p>Per configuration and level, mean over repeats. The "
            "stall-free /hi p99 (computed only from windows without a machine stall) is shown "
            "beside the measured one, never instead of it.</p>"
            + table_html(df, text={"job size", "configuration", "level", "invalid"},
                         row_class=lambda r: "invalid" if r["invalid"] else "",
                         wrap={"invalid"}))


def summary_html(res):
    df = overview(res)
    if df.empty:
        return '<p class="missing">No summary table: summary.csv is missing or empty.</p>'
    df = df.drop(columns=["line"])
    text = {"configuration", "error classes", "SLO (this repeat)", "SLO detail", "knobs refused",
            "worker_policy", "worker_cpus", "invalid rows"}
    head = "".join(f'<th class="{"t" if c in text else ""}">{esc(c)}</th>' for c in df.columns)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            if c == "payload (bytes)" and fmt_cell(v) != "n/a":
                s = human_bytes(v)
            elif c in KNOB_COLUMNS and fmt_cell(v) == "n/a":  # not applicable, or not pinned
                s = EMPTY_KNOB.get(c, "–")
            else:
                s = fmt_cell(v) if not (c == "error classes" and v == "") else ""
            cls = "t" if c in text else ("na" if s == "n/a" else "")
            if c == "invalid rows" and s:
                cls += " invalid"
            cells.append(f'<td class="{cls}">{esc(s)}</td>')
        bad = "invalid rows" in df.columns and bool(r["invalid rows"])
        body.append(('<tr class="invalid">' if bad else "<tr>") + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'
            '<p class="sub">Loaded = heavy + probe phase; unloaded = probe-only phase. '
            "n/a: not measured, or too few samples for that percentile. The 95% CI is the "
            "percentile's confidence interval from order statistics. A knob shown as – does "
            "not apply to that strategy (inline has no workers).</p>")


def slo_html(res):
    """The objectives, each configuration's verdict over its repeats and the chosen one; ""
    when the run had no SLOs."""
    slos = res.slos()
    verdicts = res.slo_verdicts()
    if not slos and not verdicts:
        return ""
    chosen, chosen_pass, why = res.chosen()
    items = "".join(f"<code>{esc(s['text'])}</code> " for s in slos)
    parts = ["<h2>SLOs</h2>",
             f"<p>Objectives {items}checked on each run's heavy + probe phase; a configuration "
             "passes when every one of its repeats met every objective.</p>"]
    rates = {}
    for c in res.meta.get("configs") or []:
        if isinstance(c, dict):
            rates[str(c.get("config"))] = c.get("heavy_loaded_rps")
    detail = {}
    s = res.summary
    if s is not None and {"slo_detail", "phase", "config"} <= set(s.columns):
        checked = s[(s["phase"] == "heavy+probe") & s["slo_detail"].notna()]
        for config, g in checked.groupby("config", sort=False):
            detail[config] = " | ".join(dict.fromkeys(str(x) for x in g["slo_detail"]))
    rows = []
    for config, ok in verdicts.items():
        mark = " (chosen)" if config == chosen else ""
        rate = rates.get(config)
        rate_text = fmt_cell(float(rate)) if isinstance(rate, (int, float)) else "n/a"
        rows.append(f'<tr><td class="t">{esc(config + mark)}</td>'
                    f'<td class="t {"pass" if ok else "fail"}">{"pass" if ok else "fail"}</td>'
                    f"<td>{esc(rate_text)}</td><td class=\"t\">{esc(detail.get(config, ''))}</td>"
                    "</tr>")
    parts.append('<div class="scroll"><table><tr><th class="t">configuration</th>'
                 '<th class="t">SLO</th><th>heavy req/s under the probe</th>'
                 '<th class="t">each objective (per repeat)</th></tr>' + "".join(rows)
                 + "</table></div>")
    if chosen:
        verdict = "passed" if chosen_pass else "failed"
        parts.append(f"<p>Chosen: <b>{esc(chosen)}</b> ({esc(why)}): it <b>{verdict}</b>, so "
                     f"<code>offload-bench experiment</code> exited "
                     f"{'0' if chosen_pass else '3'}.</p>")
    elif why:
        parts.append(f"<p>Chosen: {esc(why)} (exit status 3).</p>")
    return "".join(parts)


def full_summary_html(res):
    s = res.summary
    if s is None or s.empty:
        return ""
    s = s.drop(columns=["server_run"], errors="ignore")
    if "valid" in s.columns:  # a visible mark on each invalid row
        s = s.assign(valid=s["valid"].replace({"no": f"{INVALID_MARK} no"}))
    table = s.to_html(index=False, na_rep="", border=0, float_format=lambda x: f"{x:.4g}")
    return ("<details><summary>All rows of summary.csv (configuration × repeat × phase × "
            f"stream)</summary><div class=\"scroll\">{table}</div></details>")


def write_report(res, rendered, out_dir, title="offload-lab: responsiveness vs load"):
    """Writes out_dir/report.html; `rendered` is [(name, png path or None, why)], why the
    MissingData that kept a figure out."""
    meta = res.meta
    machine = meta.get("machine") or {}
    versions = meta.get("versions") or {}
    params = meta.get("params") or {}
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{esc(title)} — {esc(res.run_id)}</title><style>{CSS}</style></head><body>",
             f"<h1>{esc(title)}</h1>",
             f'<p class="sub">run <b>{esc(res.run_id)}</b> · {esc(res.date())} · '
             f"{esc(res.machine_line())} · status {esc(meta.get('status', 'unknown'))}</p>",
             "<p>Where should a server run its CPU-heavy work so its cheap requests stay fast? "
             "Each configuration's server ran phases idle → /hi probe only → heavy only → "
             "heavy + probe → idle"
             + (" (its capacity run), then, in each repeat, idle → probe only → the heavy "
                "stream open loop at each offered load level with the probe beside it → idle"
                if has_levels(res) else "")
             + ". The heavy stream asks <code>GET /</code> (the job); the "
             "probe asks <code>GET /hi</code> at a fixed rate and measures latency from the "
             "intended send time.</p>",
             answer_html(res), validity_html(res)]
    if res.notes:
        parts.append("<h2>Notes on this run</h2>")
        parts += [f'<p class="note">{esc(n)}</p>' for n in res.notes]
    parts.append(slo_html(res))
    parts.append(levels_html(res))
    parts.append("<h2>Summary</h2>")
    parts.append(summary_html(res))
    parts.append("<h2>Figures</h2>")
    for name, png, why in rendered:
        if png is None:  # a figure the run was not made for is no fault: no alarm colour
            cls = "absent" if isinstance(why, NotDrawn) else "missing"
            parts.append(f'<p class="{cls}">Figure “{esc(name)}” {absence(why)}: '
                         f"{esc(why)}.</p>")
            continue
        parts.append(f'<figure id="{esc(name)}"><img src="{data_uri(png)}" '
                     f'alt="{esc(name.replace("_", " "))}" width="100%">'
                     f"<figcaption>{esc(HOW_TO_READ.get(name, ''))}</figcaption></figure>")
    parts.append("<h2>Parameters</h2>")
    parts.append(kv_table([(k, value_text(v)) for k, v in params.items()]) if params
                 else "<p>none recorded</p>")
    if meta.get("command"):
        cmd = meta["command"]
        parts.append(f"<p>command: <code>{esc(' '.join(cmd) if isinstance(cmd, list) else cmd)}"
                     "</code></p>")
    parts.append("<h2>Machine and versions</h2>")
    pairs = [(f"machine.{k}", value_text(v)) for k, v in machine.items()]
    pairs += [(f"versions.{k}", value_text(v)) for k, v in versions.items()]
    pairs += [(k, meta[k]) for k in ("git_rev", "started", "ended", "status") if k in meta]
    parts.append(kv_table(pairs) if pairs else "<p>not recorded (no meta.json)</p>")
    parts.append(full_summary_html(res))
    parts.append(f'<p class="sub">Made by notebooks/offload_graphs.py from {esc(res.path)}.</p>'
                 "</body></html>")
    out = Path(out_dir) / "report.html"
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
