// Ticker: a loop timer with one owner, for the pools' timers (job deadlines, idle workers,
// reaping, a delayed restart). By default it does not keep the loop alive on its own; stop()
// closes the handle exactly once (also from the destructor).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <utility>

namespace offload {

class Ticker {
 public:
  // keeps_loop_alive: the loop does not end while this ticker is armed (a pool still reaping its
  // workers must get its ticks).
  explicit Ticker(bool keeps_loop_alive = false) : keeps_loop_alive_(keeps_loop_alive) {}
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() { stop(); }

  // Calls `tick` on the loop every `every_ms` (the first time after `first_ms`) until stop().
  // A repeating tick may stop its ticker, but not start it again.
  void start(uv_loop_t* loop, std::uint64_t every_ms, std::function<void()> tick) {
    arm(loop, every_ms, every_ms, std::move(tick));
  }
  void start(uv_loop_t* loop, std::uint64_t first_ms, std::uint64_t every_ms,
             std::function<void()> tick) {
    arm(loop, first_ms, every_ms, std::move(tick));
  }
  // Calls `tick` once, after `delay_ms`, unless stopped first. The tick may arm it again.
  void once(uv_loop_t* loop, std::uint64_t delay_ms, std::function<void()> tick) {
    arm(loop, delay_ms, 0, std::move(tick));
  }

  // Armed: started and not stopped (for once(): not fired yet).
  bool active() const { return timer_ != nullptr; }

  void stop() {
    if (timer_ == nullptr) return;
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timer_ = nullptr;
  }

 private:
  void arm(uv_loop_t* loop, std::uint64_t first_ms, std::uint64_t every_ms,
           std::function<void()> tick) {
    stop();
    tick_ = std::move(tick);
    repeat_ = every_ms > 0;
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
    if (!keeps_loop_alive_) uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    uv_timer_start(timer_, on_timer, first_ms, every_ms);
  }

  static void on_timer(uv_timer_t* t) {
    auto* self = static_cast<Ticker*>(t->data);
    if (self->repeat_) {
      self->tick_();
      return;
    }
    // One shot: done before the tick runs, so that the tick may arm the ticker again (which
    // replaces tick_: hence the tick runs from a local).
    auto tick = std::move(self->tick_);
    self->stop();
    tick();
  }

  uv_timer_t* timer_ = nullptr;  // freed in its close callback
  std::function<void()> tick_;
  bool repeat_ = false;
  const bool keeps_loop_alive_;
};

}  // namespace offload
