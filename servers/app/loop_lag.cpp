// The probe re-arms itself as a one-shot timer each time, so every sample is measured
// against its own due time (libuv's repeat would let the error drift with the loop's clock).
#include "loop_lag.hpp"

namespace app {

LoopLagProbe::LoopLagProbe(uv_loop_t* loop, std::uint64_t interval_ms, Observe observe)
    : timer_(new uv_timer_t), interval_ms_(interval_ms), observe_(std::move(observe)) {
  uv_timer_init(loop, timer_);
  timer_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));  // the probe alone keeps no loop alive
  due_ns_ = uv_hrtime() + interval_ms_ * 1'000'000;
  uv_timer_start(timer_, on_timer, interval_ms_, 0);
}

void LoopLagProbe::on_timer(uv_timer_t* timer) {
  static_cast<LoopLagProbe*>(timer->data)->fired();
}

void LoopLagProbe::fired() {
  const std::uint64_t now = uv_hrtime();
  observe_(now > due_ns_ ? static_cast<double>(now - due_ns_) / 1e9 : 0.0);
  due_ns_ = now + interval_ms_ * 1'000'000;
  uv_timer_start(timer_, on_timer, interval_ms_, 0);
}

void LoopLagProbe::stop() {
  if (timer_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  timer_ = nullptr;
}

}  // namespace app
