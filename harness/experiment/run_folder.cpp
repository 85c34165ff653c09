// The rows are built by column name, so the run's writer follows the schema's order by
// construction; a name the schema lacks is a bug reported by write_run_folder, not a shifted
// column.
#include "experiment/run_folder.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "cli/version.hpp"
#include "experiment/json.hpp"
#include "experiment/knobs.hpp"
#include "experiment/machine.hpp"
#include "experiment/results_folder.hpp"
#include "experiment/results_schema.hpp"
#include "experiment/stream_role.hpp"
#include "experiment/validity.hpp"
#include "stats/hgrm.hpp"

namespace bench {

namespace {

double seconds(std::uint64_t from_ns, std::uint64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}

// Temporary file + rename: a reader never sees half a file.
std::string write_file(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return "cannot write " + temporary;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  return {};
}

std::string optional_integer(const std::optional<std::uint64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

// The machine object of meta.json: the machine's fields, then what a run knows of where it
// ran (nothing of the server's side: it was not started here).
std::string machine_with(const RunFacts& f) {
  const std::string base = machine_json();
  const std::string extra =
      json::Object()
          .raw("harness_cpus", "null")
          .raw("server_cpus", "null")
          .raw("shares_cpus", "null")
          .num("steal_total_ms", f.machine.known ? f.machine.figures.steal_ms : kNaN)
          .text();
  const auto close = base.rfind('}');
  if (close == std::string::npos) return base;
  std::string head = base.substr(0, close);
  while (!head.empty() && head.back() == ' ') head.pop_back();
  return head + (head.back() == '{' ? "" : ", ") + extra.substr(1);
}

std::string hgrm_phase(const RunPhase& phase) {
  return phase.level.empty() ? phase.phase : phase.phase + "-" + phase.level;
}

}  // namespace

RunPhase run_phase(const std::vector<StreamSpec>& specs) {
  const StreamSpec* heavy = nullptr;
  bool probe = false;
  for (const auto& s : specs) {
    if (stream_role(s) == "heavy") {
      if (heavy == nullptr) heavy = &s;
    } else {
      probe = true;
    }
  }
  if (heavy == nullptr) return {"probe-only", ""};
  if (heavy->open_loop()) {
    // As an experiment's level would be given: --load 200rps.
    char level[64];
    std::snprintf(level, sizeof level, "%grps", heavy->rate);
    return {"load", level};
  }
  return {probe ? "heavy+probe" : "heavy-only", ""};
}

NamedRow& NamedRow::set(const std::string& column, Cell cell) {
  const auto& columns = schema::columns(file_);
  bool known = false;
  for (const auto& c : columns) known = known || c.name == column;
  if (!known) {
    unknown_.push_back(column);
    return *this;
  }
  for (auto& [name, existing] : cells_) {
    if (name == column) {
      existing = std::move(cell);
      return *this;
    }
  }
  cells_.emplace_back(column, std::move(cell));
  return *this;
}

NamedRow& NamedRow::text(const std::string& column, const std::string& value) {
  return set(column, Cell{'t', value});
}

NamedRow& NamedRow::integer(const std::string& column, std::uint64_t value) {
  return set(column, Cell{'i', {}, value});
}

NamedRow& NamedRow::number(const std::string& column, double value, int decimals) {
  return set(column, Cell{'n', {}, 0, value, decimals});
}

std::string NamedRow::line() const {
  CsvRow row;
  for (const auto& column : schema::columns(file_)) {
    const Cell* cell = nullptr;
    for (const auto& [name, c] : cells_)
      if (name == column.name) cell = &c;
    if (cell == nullptr) {
      row.empty();
    } else if (cell->kind == 't') {
      row.text(cell->text);
    } else if (cell->kind == 'i') {
      row.integer(cell->integer);
    } else {
      row.number(cell->number, cell->decimals);
    }
  }
  return row.line();
}

void run_key_cells(NamedRow& row, const RunServer& s, const RunPhase& phase) {
  row.text("config", s.config).text("strategy", s.strategy).text("workload", s.workload);
  if (s.fib) row.integer("fib", *s.fib);
  if (s.payload_bytes) row.integer("payload_bytes", *s.payload_bytes);
  row.text("load_param", s.load_param);
  if (s.load_value && !s.load_param.empty()) row.integer("load_value", *s.load_value);
  if (s.workers) row.integer("workers", *s.workers);
  row.integer("repeat", 1).text("phase", phase.phase).text("load_level", phase.level);
  const auto& specs = knob_specs();
  for (std::size_t i = 0; i < specs.size() && i < s.knobs.size(); ++i)
    row.text(specs[i].column, s.knobs[i]);
  row.text("knobs_refused", s.knobs_refused);
}

std::string write_run_folder(const std::string& given, const RunFacts& f) {
  std::string dir = given;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (std::string err = make_dirs(dir + "/hgrm"); !err.empty()) return err;
  const RunPhase phase = run_phase(f.options->streams);
  const RunBreakdown& b = f.breakdown;
  const MachineFigures& m = f.machine.figures;
  bool any_heavy = false;
  for (const auto& rs : f.streams) any_heavy = any_heavy || rs.role == "heavy";
  std::string summary = schema::header("summary.csv") + "\n";
  std::vector<std::string> unknown;
  std::uint64_t rows = 0, invalid = 0;
  std::map<std::string, std::int64_t> by_warning;
  for (const auto& rs : f.streams) {
    const Stream& s = *rs.stream;
    if (!s.started()) continue;
    const StreamSpec& spec = s.spec();
    const StreamStats& st = s.stats();
    const LatencySummary l = summarize(st.latency());
    NamedRow row("summary.csv");
    run_key_cells(row, f.server, phase);
    row.text("stream", rs.role)
        .number("phase_start_s", 0, 3)
        .number("phase_end_s", seconds(f.start_ns, f.end_ns), 3)
        .number("duration_s", seconds(s.start_ns(), s.end_ns()), 3)
        .integer("count", st.count())
        .integer("errors", st.errors())
        .text("error_classes", st.error_classes_text())
        .number("rate_rps", achieved_rate(rs), 2)
        .number("mean_ms", l.mean_ms, 3)
        .number("p50_ms", l.p50.value_ms, 3)
        .number("p50_lo_ms", l.p50.lo_ms, 3)
        .number("p50_hi_ms", l.p50.hi_ms, 3)
        .number("p90_ms", l.p90.value_ms, 3)
        .number("p95_ms", l.p95.value_ms, 3)
        .number("p99_ms", l.p99.value_ms, 3)
        .number("p99_lo_ms", l.p99.lo_ms, 3)
        .number("p99_hi_ms", l.p99.hi_ms, 3)
        .number("p999_ms", l.p999.value_ms, 3)
        .number("max_ms", l.max_ms, 3)
        .number("lateness_p99_ms", spec.open_loop() ? summarize(st.lateness()).p99.value_ms : kNaN,
                3)
        .number("offered_rps", spec.open_loop() ? spec.rate : kNaN, 2);
    if (f.slo)
      row.text("slo_pass", f.slo->pass ? "pass" : "fail").text("slo_detail", f.slo->detail);
    if (phase.phase == "heavy-only" && rs.role == "heavy")
      row.number("capacity_rps", stream_rate(s), 2);
    const auto rejected = st.error_classes().find("status_503");
    row.integer("rejected", rejected == st.error_classes().end() ? 0 : rejected->second);
    if (b.known && any_heavy) {
      row.number("queue_wait_p50_ms", b.wait.p50_ms, 3)
          .number("queue_wait_p99_ms", b.wait.p99_ms, 3);
      row.number("service_p50_ms", b.service.p50_ms, 3)
          .number("service_p99_ms", b.service.p99_ms, 3);
      row.number("handback_p50_ms", b.handback.p50_ms, 3)
          .number("handback_p99_ms", b.handback.p99_ms, 3);
      row.number("queue_wait_mean_ms", b.wait.mean_ms, 3)
          .number("service_mean_ms", b.service.mean_ms, 3)
          .number("handback_mean_ms", b.handback.mean_ms, 3);
      row.integer("breakdown_jobs", static_cast<std::uint64_t>(std::llround(b.service.count)));
    }
    row.number("queue_depth_mean", b.queue_depth_mean, 2)
        .number("loop_lag_p99_ms", b.lag_p99_max_ms, 3);
    validity::RowFigures figures = validity::stream_figures(st, spec.poisson);
    figures.check_iid = phase.phase == "probe-only";
    figures.phase_s = seconds(f.start_ns, f.end_ns);
    figures.cpus = f.machine.cpus;
    if (f.machine.known) {
      row.number("steal_ms", m.steal_ms, 1)
          .number("stall_max_ms", m.stall_max_ms, 3)
          .number("stall_p99_ms", m.stall_p99_ms, 3)
          .integer("harness_invol_cs", m.harness_invol_cs)
          .integer("stalled_windows", f.machine.stalled_windows);
      figures.stall_max_ms = m.stall_max_ms;
      figures.steal_ms = m.steal_ms;
    }
    row.number("lag1_autocorr", figures.lag1_autocorr, 3);
    if (rs.clean_known) row.number("p99_clean_ms", percentile(rs.clean, 0.99, false).value_ms, 3);
    const auto warnings = validity::row_warnings(figures);
    row.text("valid", warnings.empty() ? "yes" : "no").text("warnings", validity::join(warnings));
    for (const auto& w : warnings) ++by_warning[w];
    ++rows;
    invalid += warnings.empty() ? 0 : 1;
    summary += row.line();
    unknown.insert(unknown.end(), row.unknown().begin(), row.unknown().end());
    const std::string hgrm =
        dir + "/hgrm/" + f.server.config + "-r1-" + hgrm_phase(phase) + "-" + rs.role + ".hgrm";
    if (std::string err = write_file(hgrm, to_hgrm(st.latency())); !err.empty()) return err;
  }
  if (!unknown.empty()) return "the schema has no column " + unknown.front();
  std::string series = schema::header("series.csv") + "\n";
  for (const auto& line : f.series_rows) series += line;
  std::string metrics = schema::header("metrics.csv") + "\n";
  for (const auto& line : f.metrics_rows) metrics += line;
  json::Object warnings;
  for (const auto& [name, n] : by_warning) warnings.integer(name, n);
  const std::string run_id =
      dir.substr(dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/') + 1);
  for (const auto& [name, content] : std::vector<std::pair<std::string, std::string>>{
           {"summary.csv", summary},
           {"series.csv", series},
           {"resources.csv", schema::header("resources.csv") + "\n"},
           {"metrics.csv", metrics},
           {"meta.json", run_meta_json(run_id, f, rows, invalid, warnings.text())}}) {
    if (std::string err = write_file(dir + "/" + name, content); !err.empty()) return err;
  }
  return {};
}

std::string run_meta_json(const std::string& run_id, const RunFacts& f, std::uint64_t summary_rows,
                          std::uint64_t invalid_rows, const std::string& by_warning_json) {
  const RunServer& s = f.server;
  std::vector<std::string> command;
  for (const auto& arg : f.options->command) command.push_back(json::string(arg));
  auto text_or_null = [](const std::string& v) { return v.empty() ? "null" : json::string(v); };
  const std::string config =
      json::Object()
          .str("config", s.config)
          .raw("strategy", text_or_null(s.strategy))
          .raw("workload", text_or_null(s.workload))
          .raw("fib", optional_integer(s.fib))
          .raw("payload_bytes", optional_integer(s.payload_bytes))
          .raw("load_param", text_or_null(s.load_param))
          .raw("load_value", s.load_param.empty() ? "null" : optional_integer(s.load_value))
          .raw("workers", optional_integer(s.workers))
          .raw("job_cost_ms", "null")
          .raw("knobs", run_knobs_json(s))
          .raw("slo_pass", f.slo ? (f.slo->pass ? "true" : "false") : "null")
          .raw("runs", "[]")
          .text();
  json::Object meta;
  meta.str("kind", "run")
      .str("offload_bench", version_number())
      .str("run_id", run_id)
      .str("status", f.status)
      .str("started", f.started)
      .str("ended", f.ended)
      .integer("results_schema", schema::version())
      .integer("exit_status", f.exit_status)
      .raw("command", json::array(command))
      .raw("params", run_params_json(*f.options))
      .raw("machine", machine_with(f))
      .raw("versions", versions_json())
      .str("git_rev", git_revision())
      .raw("server", run_server_json(s))
      .raw("configs", json::array({config}))
      .raw("validity", json::Object()
                           .raw("thresholds", validity::thresholds_json())
                           .integer("rows", static_cast<std::int64_t>(summary_rows))
                           .integer("invalid_rows", static_cast<std::int64_t>(invalid_rows))
                           .raw("by_warning", by_warning_json)
                           .text())
      .raw("slo", f.slo ? json::Object()
                              .boolean("pass", f.slo->pass)
                              .str("detail", f.slo->detail)
                              .str("phase", run_phase(f.options->streams).phase)
                              .text()
                        : "null");
  if (!f.message.empty()) meta.str("message", f.message);
  return meta.text() + "\n";
}

}  // namespace bench
