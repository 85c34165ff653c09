// The remote strategy's table of workers (remote_workers.hpp).
#include "remote_workers.hpp"

#include <algorithm>

namespace offload::remote {

namespace {

// A worker is taken for dead after this many heartbeats missed, and never sooner than the
// floor: a beat delayed by a busy machine's scheduler must not cost a job a retry.
constexpr std::uint64_t kSilentBeats = 5;
constexpr std::uint64_t kMinSilentMs = 250;
constexpr std::uint64_t kForgetAfterLimits = 20;

}  // namespace

std::uint64_t WorkerTable::Seen::silent_limit() const {
  return std::max(kSilentBeats * interval_ms, kMinSilentMs);
}

WorkerTable::Seen* WorkerTable::find_or_add(const std::string& worker) {
  const auto it = seen_.find(worker);
  if (it != seen_.end()) return &it->second;
  if (seen_.size() >= kMaxWorkers) return nullptr;
  return &seen_[worker];
}

void WorkerTable::heard(const Heartbeat& beat, std::uint64_t at_ms) {
  Seen* seen = find_or_add(beat.worker);
  if (seen == nullptr) return;
  Seen& s = *seen;
  s.last_ms = std::max(s.last_ms, at_ms);
  s.interval_ms = beat.interval_ms;
  s.concurrency = beat.concurrency;
  s.busy = beat.busy;
  s.leaving = beat.leaving;
}

void WorkerTable::accepted(const std::string& worker, std::uint64_t interval_ms,
                           std::uint64_t now_ms) {
  Seen* seen = find_or_add(worker);
  if (seen == nullptr) return;
  seen->last_ms = std::max(seen->last_ms, now_ms);
  if (interval_ms > 0) seen->interval_ms = interval_ms;
}

void WorkerTable::died(const std::string& worker) {
  if (Seen* seen = find_or_add(worker)) seen->dead = true;
}

std::string WorkerTable::gone(const std::string& worker, std::uint64_t now_ms) const {
  const auto s = seen_.find(worker);
  if (s == seen_.end() || s->second.dead) return "died";
  if (now_ms - s->second.last_ms > s->second.silent_limit()) return "fell silent";
  return {};
}

std::map<std::string, WorkerView> WorkerTable::live(std::uint64_t now_ms) const {
  std::map<std::string, WorkerView> out;
  for (const auto& [id, s] : seen_)
    if (!s.dead && !s.leaving && now_ms - s.last_ms <= s.silent_limit())
      out[id] = {s.concurrency, s.busy};
  return out;
}

void WorkerTable::forget_old(std::uint64_t now_ms) {
  for (auto it = seen_.begin(); it != seen_.end();)
    it = now_ms - it->second.last_ms > kForgetAfterLimits * it->second.silent_limit()
             ? seen_.erase(it)
             : std::next(it);
}

}  // namespace offload::remote
