// Runs several streams together on one clock: all are prepared (connections opened) first,
// then started in the same instant, so their 500 ms windows line up. The phase ends when
// every stream has finished sending (and a minimum duration has passed: idle phases have
// no streams at all), then drains answers still in flight for a bounded grace period, and
// closes everything. Windows keep ticking through the drain.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/target.hpp"
#include "load/stream.hpp"
#include "uv/handles.hpp"

namespace bench {

class Phase;

struct PhaseWindow {
  std::uint64_t end_ns = 0;  // uv_hrtime() at the window's end
  std::uint64_t length_ns = 0;
  std::vector<WindowStats> streams;  // in the phase's stream order
};

class PhaseListener {
 public:
  virtual void phase_window(Phase& p, const PhaseWindow& w) = 0;
  virtual void phase_ended(Phase& p) = 0;  // finished, drained and closed (or interrupted)
  virtual void phase_failed(Phase& p, const std::string& message) = 0;

 protected:
  ~PhaseListener() = default;
};

struct PhaseOptions {
  double min_duration_s = 0;
  double window_s = 0.5;
  double connect_timeout_s = 10;
  double drain_grace_s = 10;
  // Wait for the answers a closed loop abandoned at its end before closing (they are not
  // counted): the next phase then starts without leftover jobs on the server.
  bool wait_for_closed_loops = true;
};

class Phase final : private StreamListener {
 public:
  Phase(uv_loop_t* loop, const Target& target, const std::vector<StreamSpec>& specs,
        PhaseOptions options, PhaseListener& listener);
  ~Phase();
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

  void start();
  // Stops everything now (no drain); emits the last window and phase_ended.
  void interrupt();

  const std::vector<std::unique_ptr<Stream>>& streams() const { return streams_; }
  std::uint64_t start_ns() const { return start_ns_; }
  std::uint64_t end_ns() const { return end_ns_; }
  bool running() const { return start_ns_ != 0 && !done_; }
  bool interrupted() const { return interrupted_; }

 private:
  void stream_ready(Stream& s) override;
  void stream_finished(Stream& s) override;
  void stream_drained(Stream& s) override;
  void stream_fatal(Stream& s, const std::string& message) override;

  void begin();
  void maybe_end();
  void maybe_complete();
  void tick();
  void complete();
  void fail(const std::string& message);
  // Ends the phase: its timers and every stream's connections (see Stream::close_all).
  void stop(bool unanswered_are_timeouts);

  uv_loop_t* loop_;
  PhaseOptions options_;
  PhaseListener& listener_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::size_t ready_ = 0;
  std::uint64_t start_ns_ = 0;
  std::uint64_t end_ns_ = 0;
  std::uint64_t last_tick_ns_ = 0;
  bool min_duration_passed_ = false;
  bool draining_ = false;
  bool done_ = false;
  bool interrupted_ = false;
  uvx::Timer window_timer_;
  uvx::Timer duration_timer_;
  uvx::Timer connect_timer_;
  uvx::Timer grace_timer_;
};

}  // namespace bench
