// Only what offload-server writes needs to parse: `name{k="v",...} value` lines, comments,
// blank lines. Escapes inside label values (\" \\ \n) are honoured.
#include "sample/prometheus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace bench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<double> parse_value(std::string_view text) {
  const std::string s(text);
  if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return kNaN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

std::optional<PromSample> parse_line(std::string_view line) {
  PromSample s;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  s.name = std::string(line.substr(0, i));
  if (s.name.empty()) return std::nullopt;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const auto eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
        return std::nullopt;
      std::string key(line.substr(i, eq - i));
      std::string value;
      std::size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) return std::nullopt;
      s.labels[key] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return std::nullopt;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  const auto end = line.find(' ', i);  // an optional timestamp follows
  const auto v = parse_value(line.substr(i, end == std::string_view::npos ? end : end - i));
  if (!v) return std::nullopt;
  s.value = *v;
  return s;
}

double or_nan(const std::optional<double>& v) {
  return v ? *v : kNaN;
}

}  // namespace

std::vector<PromSample> parse_prometheus(std::string_view text) {
  std::vector<PromSample> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() != '#')
      if (auto s = parse_line(line)) out.push_back(std::move(*s));
    at = end + 1;
  }
  return out;
}

std::optional<double> Scrape::value(std::string_view name, std::string_view label,
                                    std::string_view label_value) const {
  for (const auto& s : samples_) {
    if (s.name != name) continue;
    if (!label.empty()) {
      const auto it = s.labels.find(std::string(label));
      if (it == s.labels.end() || it->second != label_value) continue;
    }
    return s.value;
  }
  return std::nullopt;
}

const std::map<std::string, std::string>* Scrape::labels(std::string_view name) const {
  for (const auto& s : samples_)
    if (s.name == name) return &s.labels;
  return nullptr;
}

std::vector<std::pair<double, double>> Scrape::buckets(std::string_view histogram) const {
  const std::string name = std::string(histogram) + "_bucket";
  std::vector<std::pair<double, double>> out;
  for (const auto& s : samples_) {
    if (s.name != name) continue;
    const auto le = s.labels.find("le");
    if (le == s.labels.end()) continue;
    if (const auto bound = parse_value(le->second)) out.emplace_back(*bound, s.value);
  }
  return out;
}

namespace {

// Per-bucket counts between two scrapes; none when the layouts differ (another server).
std::optional<std::vector<double>> bucket_delta(const std::vector<std::pair<double, double>>& b0,
                                                const std::vector<std::pair<double, double>>& b1) {
  if (b1.empty() || b0.size() != b1.size()) return std::nullopt;
  std::vector<double> delta(b1.size());
  for (std::size_t i = 0; i < b1.size(); ++i) {
    if (b0[i].first != b1[i].first) return std::nullopt;  // another layout: not one histogram
    delta[i] = b1[i].second - b0[i].second;
  }
  return delta;
}

// The upper bound of the bucket holding the q-quantile (nearest rank), capped by `cap` when
// that is known and smaller; in ms. NaN when nothing was observed or it is past the last bound.
double delta_quantile(const std::vector<std::pair<double, double>>& bounds,
                      const std::vector<double>& delta, double q, double cap) {
  const double total = delta.empty() ? 0 : delta.back();
  if (!(total > 0)) return kNaN;
  const double rank = q >= 1 ? total : std::max(1.0, std::ceil(q * total - 1e-9));
  for (std::size_t i = 0; i < delta.size(); ++i) {
    if (delta[i] >= rank) {
      double bound = bounds[i].first;
      if (!std::isnan(cap) && (std::isinf(bound) || cap < bound)) bound = cap;
      return std::isinf(bound) ? kNaN : bound * 1000.0;
    }
  }
  return kNaN;
}

}  // namespace

HistogramDelta histogram_delta(const Scrape& before, const Scrape& after, std::string_view name) {
  HistogramDelta d;
  const auto b1 = after.buckets(name);
  const auto delta = bucket_delta(before.buckets(name), b1);
  if (!delta) return d;
  d.count = delta->back();
  d.p50_ms = delta_quantile(b1, *delta, 0.50, kNaN);
  d.p99_ms = delta_quantile(b1, *delta, 0.99, kNaN);
  const auto s0 = before.value(std::string(name) + "_sum");
  const auto s1 = after.value(std::string(name) + "_sum");
  if (s0 && s1 && d.count > 0) d.mean_ms = (*s1 - *s0) / d.count * 1000.0;
  return d;
}

LoopWindow loop_window(const Scrape& before, const Scrape& after) {
  LoopWindow w{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  const auto b1 = after.buckets("offload_loop_lag_seconds");
  // The server's largest lag over the shortest of its fixed windows that covers the time
  // between the two scrapes (an upper bound that is exact when the largest lag fell in this
  // window, as in steady load); else its all-time maximum.
  double cap = or_nan(after.value("offload_loop_lag_max_seconds"));
  const auto up0 = before.value("offload_uptime_seconds");
  const auto up1 = after.value("offload_uptime_seconds");
  if (up0 && up1 && *up1 >= *up0) {
    for (const auto& [label, seconds] : {std::pair{"1s", 1.0}, {"10s", 10.0}}) {
      if (*up1 - *up0 > seconds) continue;
      if (const auto m = after.value("offload_loop_lag_window_max_seconds", "window", label)) {
        cap = *m;
        break;
      }
    }
  }
  if (const auto delta = bucket_delta(before.buckets("offload_loop_lag_seconds"), b1)) {
    w.lag_p50_ms = delta_quantile(b1, *delta, 0.50, cap);
    w.lag_p99_ms = delta_quantile(b1, *delta, 0.99, cap);
    w.lag_max_ms = delta_quantile(b1, *delta, 1.0, cap);
  }
  const auto idle0 = before.value("offload_loop_idle_seconds_total");
  const auto idle1 = after.value("offload_loop_idle_seconds_total");
  if (idle0 && idle1 && up0 && up1 && *up1 > *up0)
    w.utilisation = std::clamp(1.0 - (*idle1 - *idle0) / (*up1 - *up0), 0.0, 1.0);
  w.jobs_queued = or_nan(after.value("offload_jobs_queued"));
  w.jobs_running = or_nan(after.value("offload_jobs_running"));
  w.workers_alive = or_nan(after.value("offload_workers_alive"));
  w.workers_restarted = or_nan(after.value("offload_workers_restarted_total"));
  w.jobs_rejected = or_nan(after.value("offload_jobs_rejected_total"));
  return w;
}

}  // namespace bench
