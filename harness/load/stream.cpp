// Any call that can reach the listener (call_done, connection_free, drop, check_drained) may
// end the phase, which closes every connection: after such a call, closed_ is checked before
// a connection is touched again.
//
// Error accounting rules, in one place:
// - a refused connect ends the run (the server is gone, or was never there), and so does any
//   failed connect before the server ever answered; later ones count as `connect` errors
//   (for a closed loop the call is used up);
// - a connection lost with a request in flight is a `reset`, an unparsable answer `parse`,
//   a non-2xx answer `status_<code>`; an idle connection the server closed is no error;
// - a request unanswered after spec.timeout_s is a `timeout` and its connection is dropped
//   (an answer may still be on its way and would be taken for the next request's).
#include "load/stream.hpp"

#include <algorithm>
#include <cmath>

#include "client/request.hpp"

namespace bench {

namespace {

std::uint64_t ns_from_s(double s) {
  return static_cast<std::uint64_t>(std::llround(s * 1e9));
}

}  // namespace

Stream::Stream(uv_loop_t* loop, const Target& target, StreamSpec spec, StreamListener& listener)
    : loop_(loop),
      target_(target),
      spec_(std::move(spec)),
      listener_(listener),
      request_(get_request(spec_.path, target.text())),
      sweep_timer_(loop, [this] { sweep(); }) {}

Stream::~Stream() = default;

void Stream::prepare() {
  const std::uint64_t period_ms =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(spec_.timeout_s * 1000 / 10), 10, 250);
  sweep_timer_.start(period_ms, period_ms);
  const unsigned n = std::max(1u, spec_.conns);
  preparing_ = n;
  for (unsigned i = 0; i < n && !fatal_; ++i) open_connection(i);
}

void Stream::start() {
  start_ns_ = uv_hrtime();
  begin();
}

void Stream::finish() {
  if (finished_) return;
  if (!counts_in_drain())
    for (auto& c : conns_) c->counted = false;
  end_sending();
}

void Stream::end_sending() {
  if (finished_) return;
  finished_ = true;
  end_ns_ = uv_hrtime();
  sending_stopped();
  listener_.stream_finished(*this);
  check_drained();
}

void Stream::check_drained() {
  if (!finished_ || drained_ || fatal_ || outstanding() != 0) return;
  drained_ = true;
  listener_.stream_drained(*this);
}

void Stream::fail(const std::string& message) {
  if (fatal_) return;
  fatal_ = true;
  listener_.stream_fatal(*this, message);
}

void Stream::close_all(bool unanswered_are_timeouts) {
  closed_ = true;
  if (!finished_) {
    finished_ = true;
    end_ns_ = uv_hrtime();
    sending_stopped();
  }
  sweep_timer_.close();
  if (unanswered_are_timeouts)
    for (auto& c : conns_)
      if (c->busy() && c->counted) stats_.error("timeout");
  abandon_waiting(unanswered_are_timeouts);
  drained_ = true;
  conns_.clear();
  busy_ = 0;
  connecting_ = 0;
}

Connection* Stream::open_connection(std::size_t tag) {
  auto owned = std::make_unique<Connection>(loop_, static_cast<ConnectionEvents&>(*this));
  owned->opened_ns = uv_hrtime();
  owned->tag = tag;
  if (const int rc = owned->open(target_.sockaddr_ptr()); rc != 0) {
    // Failed before any callback: out of descriptors or ports. Retrying would spin.
    fail("cannot open a connection to " + target_.text() + ": " + uv_strerror(rc));
    return nullptr;
  }
  conns_.push_back(std::move(owned));
  ++connecting_;
  return conns_.back().get();
}

void Stream::send_on(Connection& c, std::uint64_t intended_ns) {
  const std::uint64_t now = uv_hrtime();
  c.intended_ns = intended_ns;
  c.sent_ns = now;
  c.counted = !finished_ || counts_in_drain();
  ++busy_;
  stats_.sent(intended_ns, now);
  if (const int rc = c.send(request_); rc != 0) on_failure(c, Failure::reset, rc);
}

void Stream::drop(Connection& c) {
  const auto it = std::find_if(conns_.begin(), conns_.end(),
                               [&](const std::unique_ptr<Connection>& p) { return p.get() == &c; });
  if (it == conns_.end()) return;
  // Out of the list first: connection_gone may open a replacement (and grow the vector).
  std::unique_ptr<Connection> doomed = std::move(*it);
  *it = std::move(conns_.back());
  conns_.pop_back();
  if (c.busy()) --busy_;
  if (!c.connected()) --connecting_;
  connection_gone(c);
}  // c is destroyed here

void Stream::on_connected(Connection& c) {
  --connecting_;
  if (!ready_ && --preparing_ == 0) {
    ready_ = true;
    connection_free(c);  // before start() the subclasses only keep it
    listener_.stream_ready(*this);
    return;
  }
  connection_free(c);
}

void Stream::on_response(Connection& c, int status) {
  ++answered_;
  const std::uint64_t now = uv_hrtime();
  --busy_;
  if (c.counted) {
    if (status >= 200 && status < 300) {
      stats_.success(now, c.intended_ns, c.sent_ns);
    } else {
      stats_.error("status_" + std::to_string(status));
    }
  }
  call_done(c);  // may end the stream, and the phase may then close every connection
  if (closed_) return;
  if (!c.reusable()) {
    drop(c);
  } else if (!fatal_) {
    connection_free(c);
  }
  if (closed_) return;
  check_drained();
}

void Stream::on_failure(Connection& c, Failure failure, int uv_status) {
  if (fatal_) return;
  const bool in_flight = c.busy();
  if (failure == Failure::connect && (answered_ == 0 || uv_status == UV_ECONNREFUSED)) {
    fail(answered_ == 0 ? "cannot connect to " + target_.text() + ": " + uv_strerror(uv_status)
                        : "the server at " + target_.text() +
                              " stopped accepting connections (connection refused)");
    return;
  }
  if (c.counted) {
    if (failure == Failure::connect) stats_.error("connect");
    if (failure == Failure::parse) stats_.error("parse");
    if (failure == Failure::reset && in_flight) stats_.error("reset");
  }
  if (in_flight || failure == Failure::connect) call_done(c);
  if (closed_) return;  // the stream ended in call_done and c is gone
  drop(c);
  if (closed_) return;
  check_drained();
}

void Stream::sweep() {
  const std::uint64_t now = uv_hrtime();
  const std::uint64_t limit = ns_from_s(spec_.timeout_s);
  std::vector<Connection*> expired;
  for (auto& c : conns_) {
    const std::uint64_t since = c->busy() ? c->sent_ns : (c->connected() ? 0 : c->opened_ns);
    if (since != 0 && now - since > limit) expired.push_back(c.get());
  }
  for (Connection* c : expired) {
    if (closed_ || fatal_) return;  // a replacement failed and everything was closed
    if (c->counted) stats_.error(c->busy() ? "timeout" : "connect");
    call_done(*c);
    if (closed_) return;
    drop(*c);
  }
  if (closed_ || fatal_) return;
  expire_waiting(now);
  check_drained();
}

}  // namespace bench
