// Latency bounds are kept in ms, the unit of summary.csv, so a check compares like with like;
// a bound without a unit is ms, as in k6. Values print with the bound's own unit.
#include "experiment/slo.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace bench {

namespace {

struct MetricName {
  const char* name;
  SloMetric metric;
};

constexpr MetricName kMetrics[] = {
    {"p50", SloMetric::p50},
    {"p90", SloMetric::p90},
    {"p95", SloMetric::p95},
    {"p99", SloMetric::p99},
    {"p999", SloMetric::p999},
    {"p99.9", SloMetric::p999},
    {"max", SloMetric::max},
    {"mean", SloMetric::mean},
    {"rps", SloMetric::rps},
    {"errors", SloMetric::errors},
    {"error_rate", SloMetric::error_rate},
};

bool is_latency(SloMetric m) {
  return m != SloMetric::rps && m != SloMetric::errors && m != SloMetric::error_rate;
}

bool parse_number(const std::string& text, double& out) {
  std::istringstream in(text);
  in >> out;
  return !text.empty() && !in.fail() && in.eof() && std::isfinite(out);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The number and the scale of its unit into the metric's canonical unit.
std::string parse_bound(SloMetric metric, std::string text, double& bound) {
  double scale = 1;
  if (is_latency(metric)) {
    if (ends_with(text, "us")) {
      text.resize(text.size() - 2);
      scale = 0.001;
    } else if (ends_with(text, "ms")) {
      text.resize(text.size() - 2);
    } else if (ends_with(text, "s")) {
      text.pop_back();
      scale = 1000;
    }
    if (!parse_number(text, bound) || bound < 0)
      return "the bound must be a duration: a number with us, ms or s (ms when left out)";
  } else if (metric == SloMetric::rps) {
    if (ends_with(text, "rps")) text.resize(text.size() - 3);
    if (ends_with(text, "/s")) text.resize(text.size() - 2);
    if (!parse_number(text, bound) || bound < 0)
      return "the bound must be a number of requests per second";
  } else if (metric == SloMetric::errors) {
    if (!parse_number(text, bound) || bound < 0) return "the bound must be a number of errors";
  } else {
    if (ends_with(text, "%")) {
      text.pop_back();
      scale = 0.01;
    }
    if (!parse_number(text, bound) || bound < 0 || bound * scale > 1)
      return "the bound must be a fraction from 0 to 1, or a percentage like 1%";
  }
  bound *= scale;
  return {};
}

double figure(const Slo& slo, const StreamFigures& f) {
  switch (slo.metric) {
    case SloMetric::p50:
      return f.latency.p50.value_ms;
    case SloMetric::p90:
      return f.latency.p90.value_ms;
    case SloMetric::p95:
      return f.latency.p95.value_ms;
    case SloMetric::p99:
      return f.latency.p99.value_ms;
    case SloMetric::p999:
      return f.latency.p999.value_ms;
    case SloMetric::max:
      return f.latency.max_ms;
    case SloMetric::mean:
      return f.latency.mean_ms;
    case SloMetric::rps:
      return f.rps;
    case SloMetric::errors:
      return static_cast<double>(f.errors);
    case SloMetric::error_rate: {
      const std::uint64_t all = f.count + f.errors;
      return all ? static_cast<double>(f.errors) / static_cast<double>(all) : kNaN;
    }
  }
  return kNaN;
}

bool holds(SloOp op, double value, double bound) {
  if (std::isnan(value)) return false;
  switch (op) {
    case SloOp::lt:
      return value < bound;
    case SloOp::le:
      return value <= bound;
    case SloOp::gt:
      return value > bound;
    case SloOp::ge:
      return value >= bound;
  }
  return false;
}

}  // namespace

std::string parse_slo(const std::string& given, Slo& out) {
  std::string text;
  for (char c : given)
    if (c != ' ' && c != '\t') text += c;
  const auto op_at = text.find_first_of("<>");
  if (op_at == std::string::npos)
    return "must be STREAM.METRIC<VALUE, e.g. hi.p99<2ms (operators <, <=, >, >=)";
  Slo slo;
  slo.text = text;
  const bool or_equal = op_at + 1 < text.size() && text[op_at + 1] == '=';
  slo.op =
      text[op_at] == '<' ? (or_equal ? SloOp::le : SloOp::lt) : (or_equal ? SloOp::ge : SloOp::gt);
  const std::string left = text.substr(0, op_at);
  const std::string right = text.substr(op_at + (or_equal ? 2 : 1));
  const auto dot = left.find('.');
  const std::string stream = left.substr(0, dot);
  if (stream == "hi" || stream == "probe") {
    slo.stream = "probe";
  } else if (stream == "heavy") {
    slo.stream = "heavy";
  } else {
    return "the stream must be hi (or probe) or heavy, e.g. hi.p99<2ms";
  }
  const std::string metric = dot == std::string::npos ? "" : left.substr(dot + 1);
  bool known = false;
  for (const auto& m : kMetrics) {
    if (metric == m.name) {
      slo.metric = m.metric;
      known = true;
    }
  }
  if (!known)
    return "the metric must be p50, p90, p95, p99, p999, max, mean (latency), rps, errors or "
           "error_rate";
  if (std::string err = parse_bound(slo.metric, right, slo.bound); !err.empty()) return err;
  out = slo;
  return {};
}

SloOutcome evaluate_slos(const std::vector<Slo>& slos,
                         const std::map<std::string, StreamFigures>& streams) {
  SloOutcome out;
  for (const auto& slo : slos) {
    SloCheck check;
    const auto it = streams.find(slo.stream);
    if (it != streams.end()) check.value = figure(slo, it->second);
    check.pass = holds(slo.op, check.value, slo.bound);
    out.pass = out.pass && check.pass;
    out.checks.push_back(check);
    if (!out.detail.empty()) out.detail += "; ";
    out.detail +=
        slo.text + ": " + slo_value_text(slo, check.value) + (check.pass ? " pass" : " fail");
  }
  return out;
}

std::string slo_value_text(const Slo& slo, double value) {
  if (std::isnan(value)) return "n/a";
  char buf[64];
  if (is_latency(slo.metric)) {
    // Three significant figures below 10 ms, no exponent above: "0.812ms", "48.2ms", "1234ms".
    std::snprintf(buf, sizeof buf,
                  value < 10     ? "%.3gms"
                  : value < 1000 ? "%.1fms"
                                 : "%.0fms",
                  value);
  } else if (slo.metric == SloMetric::error_rate) {
    std::snprintf(buf, sizeof buf, "%.3g%%", value * 100);
  } else if (slo.metric == SloMetric::errors) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", value);
  }
  return buf;
}

}  // namespace bench
