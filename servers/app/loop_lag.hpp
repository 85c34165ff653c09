// Measures the event loop's lag: a timer due every `interval_ms` notes how late it fires.
// A loop busy running a job (inline) or starved of a core shows up here as lag.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace app {

class LoopLagProbe {
 public:
  using Observe = std::function<void(double lag_seconds)>;
  LoopLagProbe(uv_loop_t* loop, std::uint64_t interval_ms, Observe observe);
  LoopLagProbe(const LoopLagProbe&) = delete;
  LoopLagProbe& operator=(const LoopLagProbe&) = delete;
  void stop();  // closes the timer; call before the loop ends

 private:
  static void on_timer(uv_timer_t* timer);
  void fired();

  uv_timer_t* timer_;  // owned; freed in its close callback
  std::uint64_t interval_ms_;
  std::uint64_t due_ns_ = 0;
  Observe observe_;
};

}  // namespace app
