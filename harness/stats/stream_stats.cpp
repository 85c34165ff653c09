// Nanosecond clock readings become whole microseconds here, rounded to nearest.
#include "stats/stream_stats.hpp"

#include <algorithm>
#include <limits>

namespace bench {

namespace {

std::uint64_t micros_between(std::uint64_t from_ns, std::uint64_t to_ns) {
  return to_ns > from_ns ? (to_ns - from_ns + 500) / 1000 : 0;
}

}  // namespace

void StreamStats::success(std::uint64_t now_ns, std::uint64_t intended_ns, std::uint64_t sent_ns) {
  const std::uint64_t latency = micros_between(intended_ns, now_ns);
  latency_.record(latency);
  service_.record(micros_between(sent_ns, now_ns));
  if (latency_sequence_.size() < kSequenceLimit)
    latency_sequence_.push_back(static_cast<std::uint32_t>(
        std::min<std::uint64_t>(latency, std::numeric_limits<std::uint32_t>::max())));
  ++window_.completed;
  window_.latency.record(latency);
}

void StreamStats::error(std::string_view error_class) {
  ++errors_;
  ++window_.errors;
  auto it = error_classes_.find(error_class);
  if (it == error_classes_.end()) it = error_classes_.emplace(std::string(error_class), 0).first;
  ++it->second;
}

void StreamStats::open_schedule(std::uint64_t stop_ns) {
  schedule_stop_ns_ = stop_ns;
}

void StreamStats::sent(std::uint64_t intended_ns, std::uint64_t sent_ns) {
  if (sent_ == 0) first_sent_ns_ = sent_ns;
  if (schedule_stop_ns_ != 0) {
    if (sent_ != 0 && send_gaps_.size() < kSequenceLimit)
      send_gaps_.push_back(sent_ns > last_sent_ns_ ? sent_ns - last_sent_ns_ : 0);
    if (sent_ns <= schedule_stop_ns_) ++sent_in_run_;
  }
  last_sent_ns_ = sent_ns;
  ++sent_;
  lateness_.record(micros_between(intended_ns, sent_ns));
}

WindowStats StreamStats::take_window() {
  WindowStats w = window_;
  window_.completed = 0;
  window_.errors = 0;
  window_.latency.reset();
  return w;
}

std::string StreamStats::error_classes_text() const {
  std::string out;
  for (const auto& [name, n] : error_classes_) {
    if (!out.empty()) out += ';';
    out += name + ':' + std::to_string(n);
  }
  return out;
}

}  // namespace bench
