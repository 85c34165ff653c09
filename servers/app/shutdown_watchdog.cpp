#include "shutdown_watchdog.hpp"

#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <future>
#include <thread>

namespace app {

namespace {
enum Who : int { nobody = 0, service_leaving = 1, watchdog_acting = 2 };
}

struct ShutdownWatchdog::State {
  Deadlines deadlines;
  std::function<void()> abandon;
  std::atomic<int> leaving{nobody};
  uv_loop_t loop{};
  uv_signal_t sigint{};
  uv_signal_t sigterm{};
  uv_timer_t timer{};
  uv_async_t quit{};
  int signals = 0;  // heard so far (watchdog thread only)
  std::thread thread;

  void on_signal() {
    ++signals;
    const std::uint64_t in = signals == 1 ? deadlines.after_first_ms : deadlines.after_second_ms;
    // A later signal may bring the deadline closer, never push it back.
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&timer)) && uv_timer_get_due_in(&timer) <= in)
      return;
    uv_timer_start(
        &timer, [](uv_timer_t* t) { static_cast<State*>(t->data)->on_deadline(); }, in, 0);
  }

  void on_deadline() {
    int expected = nobody;
    if (!leaving.compare_exchange_strong(expected, watchdog_acting)) return;  // service leaves
    std::fprintf(stderr, "offload-server: the event loop did not stop in time (%d signal%s)\n",
                 signals, signals == 1 ? "" : "s");
    abandon();
    std::fflush(nullptr);
    ::_exit(0);
  }

  void run(std::promise<void>& ready) {
    uv_loop_init(&loop);
    for (auto [handle, signum] : {std::pair{&sigint, SIGINT}, std::pair{&sigterm, SIGTERM}}) {
      uv_signal_init(&loop, handle);
      handle->data = this;
      uv_signal_start(
          handle, [](uv_signal_t* h, int) { static_cast<State*>(h->data)->on_signal(); }, signum);
    }
    uv_timer_init(&loop, &timer);
    timer.data = this;
    uv_async_init(&loop, &quit, [](uv_async_t* a) {
      auto* self = static_cast<State*>(a->data);
      for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&self->sigint),
                             reinterpret_cast<uv_handle_t*>(&self->sigterm),
                             reinterpret_cast<uv_handle_t*>(&self->timer),
                             reinterpret_cast<uv_handle_t*>(&self->quit)})
        uv_close(h, nullptr);
    });
    quit.data = this;
    ready.set_value();
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
};

ShutdownWatchdog::ShutdownWatchdog(Deadlines deadlines, std::function<void()> abandon)
    : state_(std::make_unique<State>()) {
  state_->deadlines = deadlines;
  state_->abandon = std::move(abandon);
  std::promise<void> ready;
  state_->thread = std::thread([this, &ready] { state_->run(ready); });
  ready.get_future().wait();
}

ShutdownWatchdog::~ShutdownWatchdog() {
  leave();
  uv_async_send(&state_->quit);
  state_->thread.join();
}

void ShutdownWatchdog::leave() {
  int expected = nobody;
  if (state_->leaving.compare_exchange_strong(expected, service_leaving) ||
      expected == service_leaving)
    return;
  // The watchdog is ending the process: never come back to touch what it is tearing down.
  for (;;) pause();
}

}  // namespace app
