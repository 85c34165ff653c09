// Windows are merged at text() time: a handful of histograms, once per progress update.
#include "cli/live_figures.hpp"

#include <cmath>
#include <cstdio>

#include "experiment/stream_role.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

namespace {

std::string rate_text(double rps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, rps >= 100 ? "%.0f/s" : "%.1f/s", rps);
  return buf;
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2fms" : ms < 1000 ? "%.1fms" : "%.0fms", ms);
  return buf;
}

}  // namespace

void LiveFigures::reset(std::vector<StreamLabel> streams) {
  streams_ = std::move(streams);
  windows_.clear();
}

void LiveFigures::add(const PhaseWindow& w) {
  windows_.push_back(w);
  std::uint64_t covered = 0;
  for (const auto& x : windows_) covered += x.length_ns;
  while (windows_.size() > 1 && covered - windows_.front().length_ns >= span_ns_) {
    covered -= windows_.front().length_ns;
    windows_.pop_front();
  }
}

void LiveFigures::add(const Phase& p, const PhaseWindow& w) {
  if (p.start_ns() != phase_start_ns_ || streams_.size() != p.streams().size()) {
    phase_start_ns_ = p.start_ns();
    std::vector<StreamLabel> labels;
    for (const auto& s : p.streams())
      labels.push_back({s->spec().name, stream_role(s->spec()) == "probe"});
    reset(std::move(labels));
  }
  add(w);
}

std::string LiveFigures::text() const {
  if (windows_.empty()) return {};
  std::uint64_t length_ns = 0;
  for (const auto& w : windows_) length_ns += w.length_ns;
  const double secs = static_cast<double>(length_ns) / 1e9;
  std::string out;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    Histogram latency;
    std::uint64_t completed = 0;
    for (const auto& w : windows_) {
      if (i >= w.streams.size()) continue;
      completed += w.streams[i].completed;
      latency.add(w.streams[i].latency);
    }
    if (!out.empty()) out += ", ";
    out += streams_[i].name + " " + rate_text(secs > 0 ? static_cast<double>(completed) / secs : 0);
    if (!streams_[i].probe || latency.count() == 0) continue;
    const Estimate p99 = percentile(latency, 0.99, false);
    out += !std::isnan(p99.value_ms)
               ? " p99 " + ms_text(p99.value_ms)
               : " max " + ms_text(static_cast<double>(latency.max()) / 1000.0);
  }
  return out;
}

}  // namespace bench
