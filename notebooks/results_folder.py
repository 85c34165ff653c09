"""Reads one `results/<run-id>/` folder (harness/RESULTS.md; its columns in
harness/results_schema.json, read by results_layout.py) into pandas, tolerantly.

A run may be interrupted, an older harness may lack a file or a column: whatever is missing
becomes a note for the report rather than an exception, so the graphs show what was measured.
Only a folder with neither meta.json nor summary.csv is refused (NotAResultsFolder).
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from results_layout import (DEFAULT_LOOP_STRATEGIES, DEFAULT_STRATEGIES,  # noqa: F401
                            EMPTY_KNOB, EXPECTED, KEY_COLUMNS, KNOB_COLUMNS, LINE_COLUMNS,
                            LOAD_COLUMNS, LOAD_KEY, NEW_SERIES, NEW_SUMMARY, NOTE_COLUMNS,
                            PHASE_LABELS, PHASE_RANK, PHASES, SCHEMA_COLUMNS, TEXT_COLUMNS)

# What each validity warning means, in one line (the report's validity summary).
WARNING_MEANINGS = {
    "rate": "the open-loop stream's achieved rate is more than 1% off the asked rate",
    "client-late": "the load generator sent late (lateness p99 over 10% of the p99, or "
                   "over 1 ms): the client, not the server, shaped the tail",
    "machine-stall": "the machine stalled (the harness's 1 ms sleeper overslept as much as "
                     "the p99, or hypervisor steal over 1% of the phase)",
    "machine-busy": "other programs used over 5% of a core: the figures are not the "
                    "server's alone",
    "samples": "too few samples for the percentile's confidence interval to have an upper "
               "bound",
    "iid": "consecutive latencies are correlated (lag-1 autocorrelation): stalls made "
           "neighbours alike",
    "poisson": "the heavy stream's gaps fail the Anderson-Darling test for Poisson arrivals",
    "drift": "the repeats of this configuration disagree beyond their confidence intervals",
}
# Two-sided 95% Student t quantiles by degrees of freedom; 1.96 past the table. A table
# rather than scipy, which `make deps` does not install.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


class NotAResultsFolder(Exception):
    """The path is not a folder written by `offload-bench experiment`."""


def t95(dof):
    return _T95[dof - 1] if 1 <= dof <= len(_T95) else 1.96


def mean_ci(values):
    """Mean and half-width of its 95% confidence interval (NaN below 2 values)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    n = len(v)
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(v.iloc[0]), math.nan, 1
    return float(v.mean()), t95(n - 1) * float(v.std(ddof=1)) / math.sqrt(n), n


class Results:
    """One results folder: meta (dict), summary/series/resources/metrics (DataFrame or None)."""

    def __init__(self, path):
        given = Path(path)
        self.path = given.resolve()
        if not self.path.is_dir():
            raise NotAResultsFolder(f"{given}: no such folder (expected results/<run-id>/ "
                                    "written by `offload-bench experiment`)")
        if not (self.path / "meta.json").is_file() and not (self.path / "summary.csv").is_file():
            raise NotAResultsFolder(f"{given}: not a results folder: it holds neither meta.json "
                                    "nor summary.csv (see harness/RESULTS.md)")
        self.notes = []
        self._lines_by_config = None  # config -> plotted line's label, built on first use
        self.meta = self._read_meta()
        self.summary = self._read_csv("summary")
        self.series = self._read_csv("series")
        self.resources = self._read_csv("resources")
        self.metrics = self._read_csv("metrics")
        status = self.meta.get("status")
        if status and status != "complete":
            self.notes.append(f"The run's status is '{status}': the files hold only what was "
                              "measured before it stopped.")
        self._note_empty_percentiles()

    # ---- reading -------------------------------------------------------------------------
    def _read_meta(self):
        f = self.path / "meta.json"
        if not f.is_file():
            self.notes.append("meta.json is missing: no parameters or machine to show.")
            return {}
        try:
            meta = json.loads(f.read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            return meta
        except (ValueError, OSError) as e:
            self.notes.append(f"meta.json could not be read ({e}): ignored.")
            return {}

    def _read_csv(self, name):
        f = self.path / f"{name}.csv"
        if not f.is_file():
            self.notes.append(f"{name}.csv is missing: the plots that need it are left out.")
            return None
        try:
            df = pd.read_csv(f, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=True)
        except pd.errors.EmptyDataError:
            self.notes.append(f"{name}.csv is empty: the plots that need it are left out.")
            return None
        except (pd.errors.ParserError, UnicodeDecodeError, OSError) as e:
            self.notes.append(f"{name}.csv could not be parsed ({e}): left out.")
            return None
        missing = [c for c in KEY_COLUMNS + EXPECTED[name] if c not in df.columns]
        if missing:
            self.notes.append(f"{name}.csv lacks column(s) {', '.join(missing)}: "
                              "what depends on them is left out.")
        for c in df.columns:
            if c not in TEXT_COLUMNS and df[c].dtype == object:
                df[c] = pd.to_numeric(df[c], errors="coerce")
        for c in ("config", "strategy", "workload", "phase", "stream", "role", "valid",
                  "warnings"):
            if c in df.columns:
                df[c] = df[c].fillna("")
        # An older folder has no load levels: every row is of no level.
        df[LOAD_KEY] = df[LOAD_KEY].fillna("") if LOAD_KEY in df.columns else ""
        df["server_run"] = server_runs(df)
        if df.empty:
            self.notes.append(f"{name}.csv has a header but no rows.")
        return df

    def _note_empty_percentiles(self):
        s = self.summary
        if s is None or "stream" not in s.columns:
            return
        streams = s[s["stream"].isin(["heavy", "probe"])]
        names = {"p50_ms": "p50", "p99_ms": "p99", "p999_ms": "p99.9",
                 "p99_hi_ms": "upper bounds of a p99's CI"}
        cols = [c for c in names if c in s.columns]
        empty = {c: int(streams[c].isna().sum()) for c in cols}
        if any(empty.values()):
            parts = ", ".join(f"{n} {names[c]}" for c, n in empty.items() if n)
            self.notes.append(f"Percentiles left empty by the harness (too few samples): {parts}."
                              " The figures show them as gaps (an open CI as ↑), the tables as"
                              " 'n/a'; never as zero.")

    # ---- facts -----------------------------------------------------------------------------
    @property
    def run_id(self):
        return self.meta.get("run_id") or self.path.name

    def has(self, table, *columns):
        df = getattr(self, table)
        return df is not None and not df.empty and all(c in df.columns for c in columns)

    def machine_line(self, conditions=True):
        """The machine in one line; with conditions, also what shapes its measurements:
        the CPU frequency governor, SMT and the hypervisor's steal time, where recorded."""
        m = self.meta.get("machine") or {}
        parts = []
        if m.get("model"):
            parts.append(str(m["model"]))
        if m.get("cores"):
            parts.append(f"{m['cores']} cores")
        if m.get("mem_total_kb"):
            parts.append(f"{float(m['mem_total_kb']) / 1048576:.1f} GiB RAM")
        if m.get("kernel"):  # the harness writes "Linux 6.1.0-..."; older files the bare release
            k = str(m["kernel"])
            parts.append(k if k.lower().startswith("linux") else f"Linux {k}")
        if not conditions:
            return ", ".join(parts) or "machine unknown"
        if m.get("governor"):
            parts.append(f"governor {m['governor']}")
        if m.get("smt"):
            parts.append(f"SMT {m['smt']}")
        if isinstance(m.get("steal_total_ms"), (int, float)):
            parts.append(f"steal {m['steal_total_ms']:.0f} ms in the run")
        return ", ".join(parts) or "machine unknown"

    def date(self):
        started = str(self.meta.get("started") or "")
        return started.replace("T", " ").replace("Z", " UTC") or "date unknown"

    def footer(self):
        rev = self.meta.get("git_rev") or (self.meta.get("versions") or {}).get("offload_lab")
        status = self.meta.get("status")
        extra = f" · status {status}" if status and status != "complete" else ""
        return (f"run {self.run_id} · {self.date()} · {self.machine_line(conditions=False)}"
                + (f" · offload-lab {str(rev)[:12]}" if rev else "") + extra)

    def knob_columns(self):
        """Columns that tell one plotted line from another: strategy, workload, workers and
        any extra per-configuration column a later harness writes (constant per config)."""
        s = self.summary
        if s is None:
            return []
        known = SCHEMA_COLUMNS | {"server_run"}
        cols = [c for c in LINE_COLUMNS if c in s.columns]
        if "config" in s.columns:
            for c in s.columns:
                if c in known or c.lower().startswith("slo"):
                    continue
                if s.groupby("config")[c].nunique(dropna=False).max() <= 1:
                    cols.append(c)
        return cols

    def line_columns(self):
        """The knob columns that tell this run's lines apart: strategy, then each column that
        varies within one strategy and the columns already kept. The rest need no label:
        inline's one worker beside the pools' two is the strategy, not a knob; a process
        pool's min_workers and max_workers, resolved to its size in a --workers sweep, say
        nothing the workers column has not said."""
        s = self.summary
        cols = self.knob_columns()
        kept = ["strategy"] if "strategy" in cols else []
        for c in cols:
            if c in kept:
                continue
            most = (s.groupby(kept, dropna=False)[c].nunique(dropna=False).max() if kept
                    else s[c].nunique(dropna=False))
            if most > 1:
                kept.append(c)
        return kept

    def line_label(self, row, skip=()):
        """A line's name from one summary row: its strategy and knobs, less those in skip."""
        parts = []
        for c in self.line_columns():
            if c in skip:
                continue
            v = row[c]
            if c == "strategy":
                parts.insert(0, str(v))
            elif c == "workload":
                parts.append(str(v))
            elif isinstance(v, float) and not math.isnan(v) and v == int(v):
                parts.append(f"{c}={int(v)}")
            elif v is None or (isinstance(v, float) and math.isnan(v)):
                if c in EMPTY_KNOB:  # an unpinned loop, workers on every CPU
                    parts.append(f"{c}={EMPTY_KNOB[c]}")
                # else the knob does not apply to this strategy (inline's worker_nice)
            else:
                parts.append(f"{c}={v}")
        return " ".join(parts) or "all"

    def with_lines(self, df):
        """df plus a `line` column naming its plotted line (e.g. 'thread workers=4')."""
        df = df.copy()
        if self._lines_by_config is None:
            s, cols = self.summary, self.line_columns()
            if s is None or "config" not in s.columns or not cols:
                self._lines_by_config = {}
            else:
                first = s.drop_duplicates("config")
                self._lines_by_config = {r["config"]: self.line_label(r)
                                         for _, r in first.iterrows()}
        if "config" in df.columns and self._lines_by_config:
            df["line"] = df["config"].map(self._lines_by_config).fillna("other")
        else:
            df["line"] = "all"
        return df

    def lines(self):
        """The plotted lines in a stable order: by strategy as the server lists them, then
        by their knobs' values (workers=2 before workers=14, which the labels would reverse)."""
        s = self.summary
        if s is None or "strategy" not in s.columns:
            return []
        order = self.strategy_order()
        knobs = [c for c in self.line_columns() if c != "strategy"]
        df = self.with_lines(s).drop_duplicates("line")
        df = df.assign(_o=df["strategy"].map(order).fillna(9)) \
            .sort_values(["_o"] + knobs + ["line"], kind="stable")
        return list(df["line"])

    # ---- strategies (the server's list, in meta.json) ---------------------------------------
    def strategy_list(self):
        """The server's strategies as meta.json records them: [{name, description,
        workload_in_server, knobs}] in its order; for an older folder, the project's four
        then, in their order, the first without a pool (inline) running its jobs on the loop."""
        listed = self.meta.get("strategies")
        if isinstance(listed, list) and listed and \
                all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in listed):
            return listed
        return [{"name": n, "knobs": [] if n in DEFAULT_LOOP_STRATEGIES else ["workers"]}
                for n in DEFAULT_STRATEGIES]

    def strategies(self):
        """The strategies' names in the server's order, then any others the rows name."""
        names = [s["name"] for s in self.strategy_list()]
        s = self.summary
        if s is not None and "strategy" in s.columns:
            names += [st for st in dict.fromkeys(s["strategy"]) if st and st not in names]
        return names

    def strategy_order(self):
        """{strategy: position}: how lines, legends and tables order strategies."""
        return {st: i for i, st in enumerate(self.strategies())}

    def loop_strategies(self):
        """The strategies without a pool, whose jobs run on the event loop (inline): the
        baseline of ratios and the reference line of the pool figures. The list says which
        have a pool by naming --workers among their flags."""
        return [s["name"] for s in self.strategy_list() if "workers" not in (s.get("knobs") or [])]

    def load_axes(self):
        """(column, label, log-scale) for each load axis present: FIB, payload, job cost."""
        s = self.summary
        axes = []
        if s is None:
            return axes
        if "fib" in s.columns and s["fib"].notna().any():
            axes.append(("fib", "load: FIB (N of fib(N))", False))
        if "payload_bytes" in s.columns and s["payload_bytes"].notna().any():
            axes.append(("payload_bytes", "load: gpg payload size",
                         spans_decades(s["payload_bytes"])))
        if "job_cost_ms" in s.columns and s["job_cost_ms"].notna().any():
            axes.append(("job_cost_ms", "load: job cost (ms per job, one connection)",
                         spans_decades(s["job_cost_ms"])))
        return axes

    def main_run(self, config, repeat):
        """Which of one configuration's server runs in a repeat the over-time figures show:
        the one with the closed-loop phases (its capacity run), else its first."""
        s = self.summary
        if s is None or "config" not in s.columns:
            return 0
        rows = s[(s["config"] == config) & (s["repeat"] == repeat)]
        closed = rows[rows["phase"].isin(["heavy-only", "heavy+probe"])]["server_run"]
        runs = closed if len(closed) else rows["server_run"]
        return int(runs.min()) if len(runs) else 0

    def of_run(self, df, config, repeat):
        """The rows of df (any table) of main_run(config, repeat)."""
        run = self.main_run(config, repeat)
        sel = (df["config"] == config) & (df["repeat"] == repeat)
        if "server_run" in df.columns:
            sel &= df["server_run"] == run
        return df[sel]

    def phase_spans(self, config, repeat):
        """[(phase, start_s, end_s)] for one configuration's server run (main_run), from
        summary.csv."""
        s = self.summary
        if s is None or not {"phase_start_s", "phase_end_s"} <= set(s.columns):
            return []
        rows = self.of_run(s, config, repeat)
        spans = rows.groupby("phase", sort=False).agg(start=("phase_start_s", "min"),
                                                      end=("phase_end_s", "max"))
        out = [(p, float(r.start), float(r.end)) for p, r in spans.iterrows()
               if np.isfinite(r.start) and np.isfinite(r.end)]
        return sorted(out, key=lambda x: x[1])

    def representative_configs(self):
        """One (line, config, repeat) per line for the over-time plots: the heaviest load
        point (largest job cost, else largest FIB / payload), first repeat."""
        s = self.summary
        if s is None or "config" not in s.columns:
            return []
        df = self.with_lines(s)
        out = []
        for line in self.lines():
            sub = df[df["line"] == line]
            for c in ("job_cost_ms", "fib", "payload_bytes"):
                if c in sub.columns and sub[c].notna().any():
                    sub = sub.sort_values(c, ascending=False, kind="stable")
                    break
            config = sub["config"].iloc[0]
            reps = df[df["config"] == config]["repeat"] if "repeat" in df.columns else []
            repeat = int(reps.min()) if len(reps) and pd.notna(reps.min()) else 1
            out.append((line, config, repeat))
        return out

    # ---- SLOs (issue 7) --------------------------------------------------------------------
    def slos(self):
        """The objectives the run was given (meta.json params.slos), parsed: a list of
        dicts {text, stream, metric, op, bound} with the bound in ms, req/s, a count or a
        fraction. Texts this reader does not understand are kept with metric None."""
        out = []
        for text in (self.meta.get("params") or {}).get("slos") or []:
            out.append(parse_slo(str(text)))
        return out

    def slo_verdicts(self):
        """{config: True / False} — whether each configuration passed every objective in each
        repeat: from meta.json, else from summary.csv's heavy+probe rows; {} without SLOs."""
        out = {}
        for c in self.meta.get("configs") or []:
            if isinstance(c, dict) and isinstance(c.get("slo_pass"), bool):
                out[str(c.get("config"))] = c["slo_pass"]
        s = self.summary
        if out or s is None or "slo_pass" not in s.columns or "phase" not in s.columns:
            return out
        checked = s[(s["phase"] == "heavy+probe") & s["slo_pass"].isin(["pass", "fail"])]
        for config, g in checked.groupby("config"):
            out[config] = bool((g["slo_pass"] == "pass").all())
        return out

    def chosen(self):
        """(label or None, passed or None, why) of the configuration the exit status spoke
        for, from meta.json; (None, None, "") when the run had no SLOs."""
        slo = self.meta.get("slo")
        if not isinstance(slo, dict):
            return None, None, ""
        return slo.get("chosen"), slo.get("chosen_pass"), str(slo.get("why") or "")

    def swept_knob_columns(self):
        """The knob columns this run swept: from meta.json's params.sweeps (worker-nice ->
        worker_nice), else those holding more than one value across configurations."""
        s = self.summary
        if s is None or "config" not in s.columns:
            return []
        sweeps = (self.meta.get("params") or {}).get("sweeps")
        if isinstance(sweeps, dict) and sweeps:
            named = {k.replace("-", "_") for k in sweeps} | \
                {k.replace("-", "_") + "_s" for k in sweeps}
            return [c for c in KNOB_COLUMNS if c in named and c in s.columns]
        configs = s.drop_duplicates("config")
        return [c for c in KNOB_COLUMNS if c in s.columns and configs[c].nunique() > 1]

    def load_text(self, config):
        """'FIB=30, job 4.2 ms' for one configuration."""
        s = self.summary
        row = s[s["config"] == config].iloc[0]
        parts = []
        if "fib" in row and pd.notna(row["fib"]):
            parts.append(f"FIB={int(row['fib'])}")
        if "payload_bytes" in row and pd.notna(row["payload_bytes"]):
            parts.append(f"payload {human_bytes(row['payload_bytes'])}")
        if "job_cost_ms" in row and pd.notna(row["job_cost_ms"]):
            parts.append(f"job {row['job_cost_ms']:.3g} ms")
        return ", ".join(parts)


_SLO_METRICS = {"p50", "p90", "p95", "p99", "p999", "p99.9", "max", "mean", "rps", "errors",
                "error_rate"}


def parse_slo(text):
    """One objective as the harness writes it ('hi.p99<2ms', 'heavy.rps>=1000'): a dict
    {text, stream ('probe' or 'heavy'), metric, op, bound}; metric None if not understood.
    Latency bounds in ms (as summary.csv), error_rate as a fraction."""
    t = text.replace(" ", "")
    out = {"text": t, "stream": None, "metric": None, "op": None, "bound": math.nan}
    i = min([t.find(o) for o in "<>" if o in t], default=-1)
    if i < 0:
        return out
    op = t[i] + ("=" if t[i + 1:i + 2] == "=" else "")
    left, right = t[:i], t[i + len(op):]
    stream, _, metric = left.partition(".")
    stream = {"hi": "probe", "probe": "probe", "heavy": "heavy"}.get(stream)
    if stream is None or metric not in _SLO_METRICS:
        return out
    metric = "p999" if metric == "p99.9" else metric
    scale = 1.0
    if metric in ("rps",):
        right = right.removesuffix("rps").removesuffix("/s")
    elif metric == "error_rate" and right.endswith("%"):
        right, scale = right[:-1], 0.01
    elif metric not in ("errors", "error_rate"):
        for unit, sc in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
            if right.endswith(unit):
                right, scale = right[:-len(unit)], sc
                break
    try:
        bound = float(right) * scale
    except ValueError:
        return out
    out.update(stream=stream, metric=metric, op=op, bound=bound)
    return out


def server_runs(df):
    """Each row's server run within its configuration and repeat (0, 1, ...), in file order:
    a run starts where the phase goes back (a level run's probe-only after the capacity
    run's heavy+probe). Older folders: one run, 0."""
    if df.empty or not {"config", "phase"} <= set(df.columns):
        return 0
    rank = df["phase"].map(PHASE_RANK)
    keys = ["config", "repeat"] if "repeat" in df.columns else ["config"]
    rank = rank.fillna(rank.groupby([df[k] for k in keys], sort=False).ffill()).fillna(0)
    back = rank < rank.groupby([df[k] for k in keys], sort=False).shift(1)
    return back.astype(int).groupby([df[k] for k in keys], sort=False).cumsum().to_numpy()


def spans_decades(values, ratio=4):
    """Whether values spread enough (largest / smallest > ratio) to want a log axis."""
    v = pd.to_numeric(values, errors="coerce")
    v = v[v > 0]
    return bool(len(v)) and float(v.max() / v.min()) > ratio


def human_bytes(n):
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if n == int(n) else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
