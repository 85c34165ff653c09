// Timers here are libuv's millisecond ones: windows and phase ends need no finer grain, and
// every figure they cut is timestamped with uv_hrtime().
#include "load/phase.hpp"

#include <cmath>

namespace bench {

namespace {

std::uint64_t ms_from_s(double s) {
  return static_cast<std::uint64_t>(std::llround(s * 1000));
}

}  // namespace

Phase::Phase(uv_loop_t* loop, const Target& target, const std::vector<StreamSpec>& specs,
             PhaseOptions options, PhaseListener& listener)
    : loop_(loop),
      options_(options),
      listener_(listener),
      window_timer_(loop, [this] { tick(); }),
      duration_timer_(loop,
                      [this] {
                        min_duration_passed_ = true;
                        maybe_end();
                      }),
      connect_timer_(loop, [this] { fail("timed out connecting to the server"); }),
      grace_timer_(loop, [this] { complete(); }) {
  for (const auto& spec : specs)
    streams_.push_back(make_stream(loop, target, spec, static_cast<StreamListener&>(*this)));
}

Phase::~Phase() {
  for (auto& s : streams_) s->close_all();
}

void Phase::start() {
  if (streams_.empty()) {
    begin();
    return;
  }
  connect_timer_.start(ms_from_s(options_.connect_timeout_s));
  for (auto& s : streams_) {
    if (done_) return;
    s->prepare();
  }
}

void Phase::stream_ready(Stream&) {
  if (++ready_ == streams_.size() && !done_) begin();
}

void Phase::begin() {
  connect_timer_.stop();
  start_ns_ = uv_hrtime();
  last_tick_ns_ = start_ns_;
  const std::uint64_t window_ms = ms_from_s(options_.window_s);
  window_timer_.start(window_ms, window_ms);
  if (options_.min_duration_s > 0) {
    duration_timer_.start(ms_from_s(options_.min_duration_s));
  } else {
    min_duration_passed_ = true;
  }
  for (auto& s : streams_) {
    if (done_) return;
    s->start();
  }
  maybe_end();
}

void Phase::stream_finished(Stream&) {
  maybe_end();
}

void Phase::maybe_end() {
  if (done_ || draining_ || start_ns_ == 0 || !min_duration_passed_) return;
  for (auto& s : streams_)
    if (!s->finished()) return;
  draining_ = true;
  end_ns_ = uv_hrtime();
  grace_timer_.start(ms_from_s(options_.drain_grace_s));
  maybe_complete();
}

void Phase::stream_drained(Stream&) {
  maybe_complete();
}

void Phase::maybe_complete() {
  if (!draining_ || done_) return;
  for (auto& s : streams_) {
    const bool waits = s->spec().open_loop() || options_.wait_for_closed_loops;
    if (waits && s->outstanding() != 0) return;
  }
  complete();
}

void Phase::tick() {
  if (done_) return;
  PhaseWindow w;
  w.end_ns = uv_hrtime();
  w.length_ns = w.end_ns - last_tick_ns_;
  last_tick_ns_ = w.end_ns;
  for (auto& s : streams_) w.streams.push_back(s->stats().take_window());
  listener_.phase_window(*this, w);
}

void Phase::complete() {
  if (done_) return;
  // The last, partial window; an empty sliver (the phase ended just after a tick) would only
  // be a row of zeros with a meaningless rate.
  bool has_data = false;
  for (auto& s : streams_) has_data = has_data || s->stats().window_has_data();
  if (has_data || uv_hrtime() - last_tick_ns_ >= 100'000'000) tick();
  stop(!interrupted_);
  listener_.phase_ended(*this);
}

void Phase::interrupt() {
  if (done_) return;
  interrupted_ = true;
  if (start_ns_ == 0) start_ns_ = uv_hrtime();
  for (auto& s : streams_)
    if (s->started()) s->finish();
  complete();
}

void Phase::stream_fatal(Stream&, const std::string& message) {
  fail(message);
}

void Phase::fail(const std::string& message) {
  if (done_) return;
  stop(true);
  listener_.phase_failed(*this, message);
}

void Phase::stop(bool unanswered_are_timeouts) {
  done_ = true;
  if (end_ns_ == 0) end_ns_ = uv_hrtime();
  window_timer_.close();
  duration_timer_.close();
  connect_timer_.close();
  grace_timer_.close();
  for (auto& s : streams_) s->close_all(unanswered_are_timeouts);
}

}  // namespace bench
