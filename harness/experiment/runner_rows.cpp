// The rows an experiment writes, as harness/RESULTS.md lays them out: key and knob columns
// first, the summary of each phase (with the SLO verdict on heavy+probe), /metrics windows.
// Part of the Experiment class (runner.hpp); its lifecycle is in runner.cpp.
#include <cmath>
#include <map>

#include "experiment/validity.hpp"

#include "experiment/row_keys.hpp"
#include "experiment/runner.hpp"
#include "stats/hgrm.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

namespace {

// A summary row's whole line: its cells, then `valid` and `warnings`.
template <class Line>
std::string with_validity(const Line& line) {
  CsvRow cells;
  cells.text(line.warnings.empty() ? "yes" : "no").text(validity::join(line.warnings));
  return line.text + "," + cells.line();
}

struct PhasePoint {
  double heavy_rps = kNaN, heavy_p99_ms = kNaN, slowdown_p99 = kNaN, hi_p99_ms = kNaN;
  std::uint64_t rejected = 0, errors = 0;
  bool seen_heavy = false;
  bool valid = true;  // both streams' rows
};

double rate_of(const Stream& s) {
  const double secs = static_cast<double>(s.end_ns() - s.start_ns()) / 1e9;
  return secs > 0 ? static_cast<double>(s.stats().count()) / secs : kNaN;
}

}  // namespace

CsvRow Experiment::keys(const Step& step) const {
  return key_cells(config(), run().repeat, step.phase,
                   step.level >= 0 ? plan_.options.levels[step.level].label : "", knobs_refused_);
}

double Experiment::since_server(std::uint64_t ns) const {
  if (!server_ || ns < server_->started_ns()) return 0;
  return static_cast<double>(ns - server_->started_ns()) / 1e9;
}

double Experiment::basis_for(std::size_t config) const {
  if (plan_.options.load_basis == LoadBasis::own) return mean_of(capacities_[config]);
  const std::string key = size_key(plan_.configs[config]);
  double best = kNaN;
  for (std::size_t i = 0; i < plan_.configs.size(); ++i) {
    if (size_key(plan_.configs[i]) != key) continue;
    const double c = mean_of(capacities_[i]);
    if (!std::isnan(c) && (std::isnan(best) || c > best)) best = c;
  }
  return best;
}

double Experiment::level_rps(const Step& s) const {
  if (s.level < 0) return kNaN;
  const auto r = offered_rps(plan_.options.levels[s.level], basis_for(run().config));
  return r ? *r : kNaN;
}

void Experiment::write_phase_rows(Phase& p, const Step& s, const Scrape* end) {
  RunRow& table = table_.back();
  if (s.calibrate) {
    double cost = kNaN;
    for (const auto& st : p.streams())
      if (st->stats().count() > 0) cost = st->stats().latency().value_at_quantile(0.5) / 1000.0;
    job_cost_ms_[run().config] = cost;
    table.job_cost_ms = cost;
    cost_known_ = true;
    release_held_rows();
    return;
  }
  const double start_s = since_server(p.start_ns());
  const double end_s = since_server(p.end_ns());
  CsvRow slo;  // slo_pass, slo_detail: filled in the phase the objectives are checked on
  if (s.phase == "heavy+probe" && !plan_.options.slos.empty()) {
    slo = check_slos(p);
  } else {
    slo.empty().empty();
  }
  // The phase's figures shared by its rows: offered load, the server's per-job breakdown
  // and its queue, lag and CPU over the phase.
  const double offered = level_rps(s);
  const double basis = s.level >= 0 ? basis_for(run().config) : kNaN;
  HistogramDelta wait, service, handback;
  if (end && boundary_known_ && s.heavy) {
    wait = histogram_delta(boundary_, *end, "offload_job_queue_wait_seconds");
    service = histogram_delta(boundary_, *end, "offload_job_service_seconds");
    handback = histogram_delta(boundary_, *end, "offload_job_handback_seconds");
  }
  CsvRow shared;  // after rejected and the slowdowns
  shared.number(wait.p50_ms, 3).number(wait.p99_ms, 3);
  shared.number(service.p50_ms, 3).number(service.p99_ms, 3);
  shared.number(handback.p50_ms, 3).number(handback.p99_ms, 3);
  // Means add up where quantiles do not: queue wait + service + hand-back = the job's time
  // in the server.
  shared.number(wait.mean_ms, 3).number(service.mean_ms, 3).number(handback.mean_ms, 3);
  if (end && boundary_known_ && s.heavy) {
    shared.integer(static_cast<std::uint64_t>(std::llround(service.count)));
  } else {
    shared.empty();
  }
  shared.number(acc_.queued_n ? acc_.queued_sum / acc_.queued_n : kNaN, 2);
  shared.number(acc_.lag_p99_max, 3);
  shared.number(acc_.tree_cpu_n ? acc_.tree_cpu_sum / acc_.tree_cpu_n : kNaN, 1);
  // The machine over the phase, and the rules every row shares.
  const MachineFigures m = acc_.machine.total();
  CsvRow machine;
  machine.number(m.steal_ms, 1).number(m.stall_max_ms, 3).number(m.stall_p99_ms, 3);
  machine.integer(m.harness_invol_cs).number(m.foreign_cpu_pct, 1);
  auto with_machine = [&](validity::RowFigures r) {
    r.phase_s = end_s - start_s;
    r.cpus = cpus_;
    r.stall_max_ms = m.stall_max_ms;
    r.steal_ms = m.steal_ms;
    r.foreign_cpu_pct = m.foreign_cpu_pct;
    return r;
  };
  if (p.streams().empty()) {
    CsvRow row = keys(s);
    row.text("none").number(start_s, 3).number(end_s, 3).number(end_s - start_s, 3);
    row.integer(0).integer(0);
    for (int i = 0; i < 14; ++i) row.empty();  // error_classes .. lateness_p99_ms
    CsvRow tail = slo;
    for (int i = 0; i < 6; ++i) tail.empty();   // offered_rps .. slowdown_p99
    for (int i = 0; i < 10; ++i) tail.empty();  // the breakdown: no jobs
    tail.empty().empty();                       // queue depth, loop lag
    tail.number(acc_.tree_cpu_n ? acc_.tree_cpu_sum / acc_.tree_cpu_n : kNaN, 1);
    tail.append(machine).empty().empty().integer(acc_.stalled_windows);
    validity::RowFigures figures;
    figures.has_stream = false;
    write_summary({row, tail, validity::row_warnings(with_machine(figures)), {}, {}, {}});
    return;
  }
  PhasePoint point;  // this phase's figures for the curve, when it is a load phase
  for (std::size_t index = 0; index < p.streams().size(); ++index) {
    const auto& stream = p.streams()[index];
    if (!stream->started()) continue;
    const StreamStats& st = stream->stats();
    // Achieved rate: an open loop's answers while it was sending (those drained after it
    // stopped arrive late, they do not make the server faster); a closed loop counts none
    // of its drain anyway.
    double achieved = rate_of(*stream);
    if (stream->spec().open_loop() && index < acc_.answered_while_sending.size()) {
      const double sending = static_cast<double>(stream->end_ns() - stream->start_ns()) / 1e9;
      achieved = sending > 0 ? acc_.answered_while_sending[index] / sending : kNaN;
    }
    const LatencySummary l = summarize(st.latency());
    const double duration = static_cast<double>(stream->end_ns() - stream->start_ns()) / 1e9;
    const bool heavy = stream->spec().name == "heavy";
    const auto found = st.error_classes().find("status_503");
    const std::uint64_t rejected = found == st.error_classes().end() ? 0 : found->second;
    const double cost = job_cost_ms_[run().config];
    CsvRow tail = slo;
    tail.number(stream->spec().open_loop() ? stream->spec().rate : kNaN, 2);
    tail.number(s.level >= 0 && basis > 0 ? 100.0 * offered / basis : kNaN, 1);
    if (s.level >= 0) {
      tail.number(basis, 2);
    } else if (s.phase == "heavy-only" && heavy) {
      tail.number(rate_of(*stream), 2);
    } else {
      tail.empty();
    }
    tail.integer(rejected);
    tail.number(heavy && cost > 0 ? l.p50.value_ms / cost : kNaN, 2);
    tail.number(heavy && cost > 0 ? l.p99.value_ms / cost : kNaN, 2);
    tail.append(shared);
    tail.append(machine);
    // Only a stream alone on the server should look independent: under load a queue makes
    // neighbouring latencies alike by itself.
    validity::RowFigures figures = validity::stream_figures(st, stream->spec().poisson);
    figures.check_iid = s.phase == "probe-only";
    figures = with_machine(figures);
    const Histogram* clean = index < acc_.clean.size() ? &acc_.clean[index] : nullptr;
    tail.number(figures.lag1_autocorr, 3);
    tail.number(clean ? percentile(*clean, 0.99, false).value_ms : kNaN, 3);
    tail.integer(acc_.stalled_windows);
    CsvRow row = keys(s);
    row.text(stream->spec().name).number(start_s, 3).number(end_s, 3).number(duration, 3);
    row.integer(st.count()).integer(st.errors()).text(st.error_classes_text());
    row.number(achieved, 2).number(l.mean_ms, 3);
    row.number(l.p50.value_ms, 3).number(l.p50.lo_ms, 3).number(l.p50.hi_ms, 3);
    row.number(l.p90.value_ms, 3).number(l.p95.value_ms, 3);
    row.number(l.p99.value_ms, 3).number(l.p99.lo_ms, 3).number(l.p99.hi_ms, 3);
    row.number(l.p999.value_ms, 3).number(l.max_ms, 3);
    row.number(stream->spec().open_loop() ? summarize(st.lateness()).p99.value_ms : kNaN, 3);
    SummaryLine line{row, tail, validity::row_warnings(figures), {}, {}, {}};
    line.group = config().label + "|" + s.phase + "|" +
                 (s.level >= 0 ? plan_.options.levels[s.level].label : "") + "|" +
                 stream->spec().name;
    line.p99 = {l.p99.value_ms, l.p99.lo_ms, l.p99.hi_ms};
    const bool row_valid = line.warnings.empty();
    write_summary(std::move(line));
    const std::string phase_name =
        s.level >= 0 ? "load-" + plan_.options.levels[s.level].slug() : s.phase;
    folder_.write_file("hgrm/" + config().label + "-r" + std::to_string(run().repeat) + "-" +
                           phase_name + "-" + stream->spec().name + ".hgrm",
                       to_hgrm(st.latency()));

    table.errors += st.errors();
    if (s.phase == "probe-only" && !heavy) {
      table.hi_unloaded = l;
      if (run().levels) unloaded_p99_[run().config].push_back(l.p99.value_ms);
    }
    if (s.level >= 0) {
      if (heavy) {
        point.heavy_rps = achieved;
        point.heavy_p99_ms = l.p99.value_ms;
        point.slowdown_p99 = cost > 0 ? l.p99.value_ms / cost : kNaN;
        point.rejected = rejected;
        point.errors = st.errors();
        point.seen_heavy = true;
      } else {
        point.hi_p99_ms = l.p99.value_ms;
      }
      point.valid = point.valid && row_valid;
    }
    if (s.phase == "heavy-only" && heavy) {
      table.heavy_alone_rps = rate_of(*stream);
      if (!p.interrupted()) capacities_[run().config].push_back(table.heavy_alone_rps);
    }
    if (s.phase == "heavy+probe" && heavy) {
      table.heavy_loaded_rps = rate_of(*stream);
      run_meta_.back().heavy_loaded_rps = table.heavy_loaded_rps;
    }
    if (s.phase == "heavy+probe" && !heavy) table.hi_loaded = l;
  }
  if (s.level >= 0 && point.seen_heavy && !p.interrupted()) {
    LevelPoint lp;
    lp.config = run().config;
    lp.repeat = run().repeat;
    lp.level = static_cast<std::size_t>(s.level);
    lp.label = plan_.options.levels[s.level].label;
    lp.offered_rps = offered;
    lp.offered_pct = basis > 0 ? 100.0 * offered / basis : kNaN;
    lp.heavy_rps = point.heavy_rps;
    lp.heavy_p99_ms = point.heavy_p99_ms;
    lp.slowdown_p99 = point.slowdown_p99;
    lp.hi_p99_ms = point.hi_p99_ms;
    lp.rejected = point.rejected;
    lp.valid = point.valid;
    lp.errors = point.errors;
    level_points_.push_back(lp);
  }
}

CsvRow Experiment::check_slos(Phase& p) {
  std::map<std::string, StreamFigures> figures;
  for (const auto& stream : p.streams()) {
    if (!stream->started()) continue;
    StreamFigures f;
    f.latency = summarize(stream->stats().latency());
    f.rps = rate_of(*stream);
    f.count = stream->stats().count();
    f.errors = stream->stats().errors();
    figures[stream->spec().name] = f;
  }
  const SloOutcome outcome = evaluate_slos(plan_.options.slos, figures);
  table_.back().slo = outcome.pass ? "pass" : "fail";
  run_meta_.back().slo_pass = outcome.pass;
  run_meta_.back().slo_detail = outcome.detail;
  CsvRow tail;
  tail.text(outcome.pass ? "pass" : "fail").text(outcome.detail);
  return tail;
}

void Experiment::write_summary(SummaryLine line) {
  if (!cost_known_) {
    held_.push_back(std::move(line));
    return;
  }
  emit_summary(std::move(line));
}

void Experiment::emit_summary(SummaryLine line) {
  CsvRow cells = line.row;
  cells.number(job_cost_ms_[run().config], 3).append(line.tail);
  line.text = cells.line();
  line.text.pop_back();  // the newline: valid and warnings follow
  if (!line.warnings.empty()) ++table_.back().invalid;
  folder_.summary(with_validity(line));
  summary_lines_.push_back(std::move(line));
}

void Experiment::release_held_rows() {
  for (auto& line : held_) emit_summary(std::move(line));
  held_.clear();
}

void Experiment::check_drift() {
  std::map<std::string, std::vector<std::size_t>> groups;  // rows of one figure over repeats
  for (std::size_t i = 0; i < summary_lines_.size(); ++i)
    if (!summary_lines_[i].group.empty()) groups[summary_lines_[i].group].push_back(i);
  bool any = false;
  for (const auto& [group, rows] : groups) {
    if (rows.size() < 2) continue;
    std::vector<validity::RepeatEstimate> estimates;
    for (std::size_t i : rows) estimates.push_back(summary_lines_[i].p99);
    if (!validity::drifted(estimates)) continue;
    any = true;
    for (std::size_t i : rows) summary_lines_[i].warnings.push_back("drift");
  }
  if (!any) return;
  // The rows were written as they were measured; the file is written again, whole and
  // atomically, with the drift they could not know of then.
  std::string text;
  for (const auto& line : summary_lines_) {
    text += with_validity(line);
  }
  folder_.rewrite_summary(text);
}

void Experiment::metrics_row(const std::string& context, std::uint64_t at_ns, const LoopWindow& w) {
  // The context is the index of the step the window belongs to (see phase_window).
  if (!server_ || finished_ || context.empty() ||
      context.find_first_not_of("0123456789") != std::string::npos)
    return;
  const std::size_t index = std::stoul(context);
  if (index >= steps_.size() || steps_[index].calibrate) return;
  if (index == step_index_) {
    if (!std::isnan(w.jobs_queued)) acc_.queued_sum += w.jobs_queued, ++acc_.queued_n;
    if (!std::isnan(w.lag_p99_ms) && !(acc_.lag_p99_max >= w.lag_p99_ms))
      acc_.lag_p99_max = w.lag_p99_ms;
  }
  CsvRow row = keys(steps_[index]);
  row.number(since_server(at_ns), 3);
  row.number(w.lag_p50_ms, 3).number(w.lag_p99_ms, 3).number(w.lag_max_ms, 3);
  row.number(w.utilisation, 4);
  for (double v :
       {w.jobs_queued, w.jobs_running, w.workers_alive, w.workers_restarted, w.jobs_rejected})
    row.number(v, 0);
  folder_.metrics(row.line());
}

}  // namespace bench
