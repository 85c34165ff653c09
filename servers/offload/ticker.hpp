// Ticker: a repeating loop timer with one owner, for the pools' periodic checks (job
// deadlines, idle workers). It never keeps the loop alive on its own, and stop() closes the
// handle exactly once (also from the destructor).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace offload {

class Ticker {
 public:
  Ticker() = default;
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() { stop(); }

  // Calls `tick` on the loop every `every_ms` until stop().
  void start(uv_loop_t* loop, std::uint64_t every_ms, std::function<void()> tick) {
    stop();
    tick_ = std::move(tick);
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    uv_timer_start(
        timer_, [](uv_timer_t* t) { static_cast<Ticker*>(t->data)->tick_(); }, every_ms, every_ms);
  }

  void stop() {
    if (timer_ == nullptr) return;
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timer_ = nullptr;
  }

 private:
  uv_timer_t* timer_ = nullptr;  // freed in its close callback
  std::function<void()> tick_;
};

}  // namespace offload
