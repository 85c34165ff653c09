// The timer is always armed for the earlier of the next due time and the end of the run.
// Requests due at the same wake-up all leave in that wake-up, in due order; their lateness
// (actual send - due time) is the client's own delay and is reported on its own.
#include "load/open_loop.hpp"

#include <algorithm>
#include <cmath>

namespace bench {

OpenLoop::OpenLoop(uv_loop_t* loop, const Target& target, StreamSpec spec, StreamListener& listener)
    : Stream(loop, target, std::move(spec), listener), timer_(loop, [this] { tick(); }) {}

void OpenLoop::begin() {
  schedule_.emplace(spec_.rate, spec_.poisson, spec_.seed, start_ns_);
  stop_ns_ = start_ns_ + static_cast<std::uint64_t>(std::llround(spec_.duration_s * 1e9));
  stats_.open_schedule(stop_ns_);
  next_due_ = schedule_->next();
  tick();
}

void OpenLoop::tick() {
  if (finished_ || fatal_) return;
  const std::uint64_t now = uv_hrtime();
  while (next_due_ <= now && next_due_ < stop_ns_) {
    if (idle_.empty() && conns_.size() >= spec_.max_conns) stats_.waited_for_connection();
    waiting_.push_back(next_due_);
    stats_.due();
    next_due_ = schedule_->next();
  }
  pump();
  if (fatal_ || closed_) return;
  if (now >= stop_ns_) {
    end_sending();
    return;
  }
  timer_.arm(std::min(next_due_, stop_ns_));
}

void OpenLoop::pump() {
  while (!waiting_.empty() && !idle_.empty() && !fatal_ && !closed_) {
    Connection* c = idle_.back();
    idle_.pop_back();
    const std::uint64_t due = waiting_.front();
    waiting_.pop_front();
    send_on(*c, due);  // may drop c
  }
  // Open what the waiting requests need, minus connections already on their way.
  while (!fatal_ && !closed_ && waiting_.size() > connecting() && conns_.size() < spec_.max_conns)
    open_connection(conns_.size());
}

void OpenLoop::connection_free(Connection& c) {
  idle_.push_back(&c);
  if (started() && !fatal_) pump();
}

void OpenLoop::connection_gone(Connection& c) {
  idle_.erase(std::remove(idle_.begin(), idle_.end(), &c), idle_.end());
  // A replacement for waiting requests; not from inside pump's own send failure loop.
  if (started() && !fatal_ && !waiting_.empty() && conns_.size() < spec_.max_conns &&
      waiting_.size() > connecting())
    open_connection(conns_.size());
}

void OpenLoop::expire_waiting(std::uint64_t now) {
  const auto limit = static_cast<std::uint64_t>(std::llround(spec_.timeout_s * 1e9));
  while (!waiting_.empty() && now - waiting_.front() > limit) {
    stats_.error("timeout");
    waiting_.pop_front();
  }
}

void OpenLoop::abandon_waiting(bool count) {
  if (count)
    for (std::size_t i = 0; i < waiting_.size(); ++i) stats_.error("timeout");
  waiting_.clear();
  idle_.clear();
}

}  // namespace bench
