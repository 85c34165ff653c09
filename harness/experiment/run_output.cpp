// Every figure is written as the table prints it (the same histograms, the same rates), so a
// script reading --json sees what a person reading the table sees. NaN is null.
#include "experiment/run_output.hpp"

#include <cmath>

#include "cli/version.hpp"
#include "experiment/json.hpp"
#include "experiment/machine.hpp"
#include "experiment/stream_role.hpp"

namespace bench {

namespace {

double seconds(std::uint64_t from_ns, std::uint64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}

std::string estimate_json(const Estimate& e) {
  return json::Object().num("value", e.value_ms).num("lo", e.lo_ms).num("hi", e.hi_ms).text();
}

// Every percentile with its distribution-free 95% interval (stats/quantile_ci.hpp); a value
// with too few samples is null, as is a bound the samples cannot give.
std::string latency_json(const Histogram& h) {
  json::Object o;
  o.integer("count", static_cast<std::int64_t>(h.count()));
  o.num("mean", h.count() ? h.mean() / 1000.0 : kNaN);
  o.num("min", h.count() ? static_cast<double>(h.min()) / 1000.0 : kNaN);
  o.num("max", h.count() ? static_cast<double>(h.max()) / 1000.0 : kNaN);
  const struct {
    const char* name;
    double q;
  } quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p999", 0.999}};
  for (const auto& [name, q] : quantiles) o.raw(name, estimate_json(percentile(h, q, true)));
  return o.text();
}

std::string stream_params_json(const StreamSpec& s) {
  return json::Object()
      .str("name", s.name)
      .str("role", stream_role(s))
      .str("path", s.path)
      .str("loop", s.open_loop() ? "open" : "closed")
      .integer("conns", s.conns)
      .raw("calls", s.calls ? std::to_string(s.calls) : "null")
      .num("duration_s", s.duration_s > 0 ? s.duration_s : kNaN)
      .num("rate_rps", s.open_loop() ? s.rate : kNaN)
      .boolean("poisson", s.poisson)
      .integer("max_conns", s.max_conns)
      .num("timeout_s", s.timeout_s)
      .str("seed", std::to_string(s.seed))  // a string: JSON numbers lose 64-bit integers
      .text();
}

std::string stream_json(const RunStream& rs, std::uint64_t run_start_ns) {
  const Stream& s = *rs.stream;
  const StreamSpec& spec = s.spec();
  const StreamStats& st = s.stats();
  json::Object classes;
  for (const auto& [name, n] : st.error_classes())
    classes.integer(name, static_cast<std::int64_t>(n));
  const bool open = spec.open_loop();
  return json::Object()
      .str("name", spec.name)
      .str("role", rs.role)
      .str("path", spec.path)
      .str("load", spec.describe())
      .num("start_s", s.started() ? seconds(run_start_ns, s.start_ns()) : kNaN)
      .num("sending_s", s.started() ? seconds(s.start_ns(), s.end_ns()) : kNaN)
      .integer("sent", static_cast<std::int64_t>(st.requests_sent()))
      .integer("count", static_cast<std::int64_t>(st.count()))
      .integer("errors", static_cast<std::int64_t>(st.errors()))
      .raw("errors_by_class", classes.text())
      .num("rate_rps", stream_rate(s))
      .num("offered_rps", open ? spec.rate : kNaN)
      .num("achieved_rps", open ? achieved_rate(rs) : kNaN)
      .raw("latency_ms", latency_json(st.latency()))
      .raw("service_ms", open ? latency_json(st.service()) : "null")
      .raw("lateness_ms", open ? latency_json(st.lateness()) : "null")
      .raw("conn_waits", open ? std::to_string(st.conn_waits()) : "null")
      .text();
}

std::string slo_json(const std::vector<Slo>& slos, const std::optional<SloOutcome>& outcome) {
  if (!outcome) return "null";
  std::vector<std::string> items;
  for (std::size_t i = 0; i < slos.size() && i < outcome->checks.size(); ++i) {
    const Slo& slo = slos[i];
    const SloCheck& c = outcome->checks[i];
    items.push_back(json::Object()
                        .str("objective", slo.text)
                        .str("stream", slo.stream)
                        .num("value", c.value)
                        .str("value_text", slo_value_text(slo, c.value))
                        .boolean("pass", c.pass)
                        .text());
  }
  return json::Object()
      .boolean("pass", outcome->pass)
      .raw("objectives", json::array(items))
      .str("detail", outcome->detail)
      .text();
}

}  // namespace

double stream_rate(const Stream& s) {
  const double secs = seconds(s.start_ns(), s.end_ns());
  return secs > 0 ? static_cast<double>(s.stats().count()) / secs : kNaN;
}

double achieved_rate(const RunStream& rs) {
  const Stream& s = *rs.stream;
  if (!s.spec().open_loop() || std::isnan(rs.answered_while_sending)) return stream_rate(s);
  const double secs = seconds(s.start_ns(), s.end_ns());
  return secs > 0 ? rs.answered_while_sending / secs : kNaN;
}

SloOutcome check_run_slos(const std::vector<Slo>& slos, const std::vector<RunStream>& streams) {
  std::map<std::string, StreamFigures> figures;
  for (const auto& rs : streams) {
    if (!rs.stream->started()) continue;
    StreamFigures f;
    f.latency = summarize(rs.stream->stats().latency());
    f.rps = stream_rate(*rs.stream);
    f.count = rs.stream->stats().count();
    f.errors = rs.stream->stats().errors();
    figures[rs.role] = f;
  }
  return evaluate_slos(slos, figures);
}

std::string slo_report(const std::vector<Slo>& slos, const SloOutcome& outcome) {
  std::string out;
  std::string failed;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < slos.size() && i < outcome.checks.size(); ++i) {
    const SloCheck& c = outcome.checks[i];
    const std::string value = slo_value_text(slos[i], c.value);
    out += "slo " + slos[i].text + ": " + value + (c.pass ? " pass" : " fail") + "\n";
    if (!c.pass) {
      failed += (failures++ ? ", " : "") + slos[i].text + " (" + value + ")";
    }
  }
  if (failures > 0)
    out += "offload-bench: " + std::to_string(failures) + " of " + std::to_string(slos.size()) +
           (slos.size() == 1 ? " objective" : " objectives") + " failed: " + failed + "\n";
  return out;
}

std::string run_params_json(const RunOptions& o) {
  std::vector<std::string> streams, slos;
  for (const auto& s : o.streams) streams.push_back(stream_params_json(s));
  for (const auto& s : o.slos) slos.push_back(json::string(s.text));
  return json::Object()
      .str("target", o.target.text())
      .raw("streams", json::array(streams))
      .raw("slos", json::array(slos))
      .num("window_s", 0.5)
      .text();
}

std::string run_json(const RunFacts& f) {
  std::vector<std::string> streams, command;
  for (const auto& rs : f.streams) streams.push_back(stream_json(rs, f.start_ns));
  for (const auto& arg : f.options->command) command.push_back(json::string(arg));
  json::Object doc;
  doc.str("kind", "run")
      .integer("format", 1)
      .str("offload_bench", version_number())
      .str("status", f.status)
      .integer("exit_status", f.exit_status);
  if (!f.message.empty()) doc.str("message", f.message);
  doc.str("started", f.started)
      .str("ended", f.ended)
      .num("duration_s", f.start_ns ? seconds(f.start_ns, f.end_ns) : kNaN)
      .raw("command", json::array(command))
      .raw("params", run_params_json(*f.options))
      .raw("server", run_server_json(f.server))
      .raw("streams", json::array(streams))
      .raw("slo", slo_json(f.options->slos, f.slo))
      .raw("machine", machine_json())
      .raw("versions", versions_json())
      .str("git_rev", git_revision());
  return doc.text() + "\n";
}

}  // namespace bench
