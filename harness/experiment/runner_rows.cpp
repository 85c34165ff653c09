// The rows an experiment writes, as harness/RESULTS.md lays them out: key and knob columns
// first, the summary of each phase (with the SLO verdict on heavy+probe), /metrics windows.
// Part of the Experiment class (runner.hpp); its lifecycle is in runner.cpp.
#include <cmath>
#include <map>

#include "experiment/runner.hpp"
#include "stats/hgrm.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

namespace {

double rate_of(const Stream& s) {
  const double secs = static_cast<double>(s.end_ns() - s.start_ns()) / 1e9;
  return secs > 0 ? static_cast<double>(s.stats().count()) / secs : kNaN;
}

}  // namespace

CsvRow Experiment::keys(const std::string& phase) const {
  const ServerConfig& c = config();
  CsvRow row;
  row.text(c.label).text(c.strategy).text(c.workload);
  if (c.workload == "gpg") {
    row.empty().integer(c.payload);
  } else {
    row.integer(c.fib).empty();
  }
  row.integer(c.workers);
  row.integer(run().repeat).text(phase);
  for (const auto& knob : c.knobs) row.text(knob);
  row.text(knobs_refused_);
  return row;
}

double Experiment::since_server(std::uint64_t ns) const {
  if (!server_ || ns < server_->started_ns()) return 0;
  return static_cast<double>(ns - server_->started_ns()) / 1e9;
}

void Experiment::write_phase_rows(Phase& p, const Step& s) {
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
  CsvRow tail;  // slo_pass, slo_detail: filled in the phase the objectives are checked on
  if (s.phase == "heavy+probe" && !plan_.options.slos.empty()) {
    tail = check_slos(p);
  } else {
    tail.empty().empty();
  }
  if (p.streams().empty()) {
    CsvRow row = keys(s.phase);
    row.text("none").number(start_s, 3).number(end_s, 3).number(end_s - start_s, 3);
    row.integer(0).integer(0);
    for (int i = 0; i < 14; ++i) row.empty();  // error_classes .. lateness_p99_ms
    write_summary(row, tail);
    return;
  }
  for (const auto& stream : p.streams()) {
    if (!stream->started()) continue;
    const StreamStats& st = stream->stats();
    const LatencySummary l = summarize(st.latency());
    const double duration = static_cast<double>(stream->end_ns() - stream->start_ns()) / 1e9;
    CsvRow row = keys(s.phase);
    row.text(stream->spec().name).number(start_s, 3).number(end_s, 3).number(duration, 3);
    row.integer(st.count()).integer(st.errors()).text(st.error_classes_text());
    row.number(rate_of(*stream), 2).number(l.mean_ms, 3);
    row.number(l.p50.value_ms, 3).number(l.p50.lo_ms, 3).number(l.p50.hi_ms, 3);
    row.number(l.p90.value_ms, 3).number(l.p95.value_ms, 3);
    row.number(l.p99.value_ms, 3).number(l.p99.lo_ms, 3).number(l.p99.hi_ms, 3);
    row.number(l.p999.value_ms, 3).number(l.max_ms, 3);
    row.number(stream->spec().open_loop() ? summarize(st.lateness()).p99.value_ms : kNaN, 3);
    write_summary(row, tail);
    folder_.write_file("hgrm/" + config().label + "-r" + std::to_string(run().repeat) + "-" +
                           s.phase + "-" + stream->spec().name + ".hgrm",
                       to_hgrm(st.latency()));

    table.errors += st.errors();
    const bool heavy = stream->spec().name == "heavy";
    if (s.phase == "probe-only" && !heavy) table.hi_unloaded = l;
    if (s.phase == "heavy-only" && heavy) table.heavy_alone_rps = rate_of(*stream);
    if (s.phase == "heavy+probe" && heavy) {
      table.heavy_loaded_rps = rate_of(*stream);
      run_meta_.back().heavy_loaded_rps = table.heavy_loaded_rps;
    }
    if (s.phase == "heavy+probe" && !heavy) table.hi_loaded = l;
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

void Experiment::write_summary(CsvRow row, const CsvRow& tail) {
  if (!cost_known_) {
    held_.emplace_back(std::move(row), tail);
    return;
  }
  row.number(job_cost_ms_[run().config], 3).append(tail);
  folder_.summary(row.line());
}

void Experiment::release_held_rows() {
  for (auto& [row, tail] : held_) {
    row.number(job_cost_ms_[run().config], 3).append(tail);
    folder_.summary(row.line());
  }
  held_.clear();
}

void Experiment::metrics_row(const std::string& phase, std::uint64_t at_ns, const LoopWindow& w) {
  if (phase == "baseline" || phase == "calibrate" || !server_ || finished_) return;
  CsvRow row = keys(phase);
  row.number(since_server(at_ns), 3);
  row.number(w.lag_p50_ms, 3).number(w.lag_p99_ms, 3).number(w.lag_max_ms, 3);
  row.number(w.utilisation, 4);
  for (double v :
       {w.jobs_queued, w.jobs_running, w.workers_alive, w.workers_restarted, w.jobs_rejected})
    row.number(v, 0);
  folder_.metrics(row.line());
}

}  // namespace bench
