// A client whose connection breaks gets a new one and goes on with its remaining calls; a
// failed call still counts as a call, so `conns x calls` always ends.
#include "load/closed_loop.hpp"

#include <cmath>

namespace bench {

ClosedLoop::ClosedLoop(uv_loop_t* loop, const Target& target, StreamSpec spec,
                       StreamListener& listener)
    : Stream(loop, target, std::move(spec), listener),
      calls_(std::max(1u, spec_.conns), 0),
      duration_timer_(loop, [this] { duration_reached(); }) {}

void ClosedLoop::begin() {
  if (spec_.duration_s > 0)
    duration_timer_.start(static_cast<std::uint64_t>(std::llround(spec_.duration_s * 1000)));
  std::vector<Connection*> ready;
  for (auto& c : conns_)
    if (c->connected() && !c->busy()) ready.push_back(c.get());
  for (Connection* c : ready) {
    if (finished_ || fatal_) break;
    next(*c);  // may drop c (and only c)
  }
}

void ClosedLoop::connection_free(Connection& c) {
  if (!started() || finished_ || fatal_) return;
  next(c);
}

bool ClosedLoop::client_done(std::size_t client) const {
  return spec_.calls > 0 && calls_[client] >= spec_.calls;
}

void ClosedLoop::next(Connection& c) {
  if (client_done(c.tag)) return;
  send_on(c, uv_hrtime());
}

void ClosedLoop::call_done(Connection& c) {
  if (!started() || finished_) return;
  ++total_calls_;
  if (++calls_[c.tag] == spec_.calls && ++clients_done_ == calls_.size()) end_sending();
}

void ClosedLoop::connection_gone(Connection& c) {
  if (!started() || finished_ || fatal_ || client_done(c.tag)) return;
  open_connection(c.tag);  // the client goes on once its new connection is up
}

void ClosedLoop::duration_reached() {
  const double elapsed_s = static_cast<double>(uv_hrtime() - start_ns_) / 1e9;
  if (total_calls_ < spec_.min_calls && elapsed_s < spec_.max_duration_s) {
    duration_timer_.start(20);  // a slow job: wait for enough calls, but not forever
    return;
  }
  finish();
}

}  // namespace bench
