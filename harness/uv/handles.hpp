// RAII owners for the few libuv handles the harness uses besides sockets (timers, polls,
// signals). The handle itself lives on the heap and is freed in its close callback, so the
// owning C++ object may be destroyed at any time: after uv_close no callback but the close
// callback runs, and that one touches only the handle's own memory.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <utility>

namespace bench::uvx {

template <class Handle>
class Owned {
 public:
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() { close(); }

  Handle* get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

  // Closes the handle once; safe to call again.
  void close() {
    if (handle_ == nullptr) return;
    handle_->data = nullptr;  // callbacks already queued check this and do nothing
    uv_close(reinterpret_cast<uv_handle_t*>(handle_),
             [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
    handle_ = nullptr;
  }

 protected:
  Handle* adopt() {
    close();
    handle_ = new Handle;
    return handle_;
  }

 private:
  Handle* handle_ = nullptr;
};

// A timer whose callback is a std::function (timers fire at most a few hundred times a
// second here; the per-request hot path does not use them).
class Timer : public Owned<uv_timer_t> {
 public:
  Timer(uv_loop_t* loop, std::function<void()> fired) : fired_(std::move(fired)) {
    uv_timer_t* t = adopt();
    uv_timer_init(loop, t);
    t->data = this;
  }
  void start(std::uint64_t timeout_ms, std::uint64_t repeat_ms = 0) {
    if (get() != nullptr) uv_timer_start(get(), on_timer, timeout_ms, repeat_ms);
  }
  void stop() {
    if (get() != nullptr) uv_timer_stop(get());
  }

 private:
  static void on_timer(uv_timer_t* t) {
    if (t->data != nullptr) static_cast<Timer*>(t->data)->fired_();
  }
  std::function<void()> fired_;
};

// Watches one signal (SIGINT, SIGTERM) on the loop: the handler runs as an ordinary callback.
class Signal : public Owned<uv_signal_t> {
 public:
  Signal(uv_loop_t* loop, int signum, std::function<void()> caught) : caught_(std::move(caught)) {
    uv_signal_t* s = adopt();
    uv_signal_init(loop, s);
    s->data = this;
    uv_signal_start(s, on_signal, signum);
  }
  // A watched signal keeps the loop alive; unref lets uv_run end when nothing else is left.
  void unref() { uv_unref(reinterpret_cast<uv_handle_t*>(get())); }

 private:
  static void on_signal(uv_signal_t* s, int) {
    if (s->data != nullptr) static_cast<Signal*>(s->data)->caught_();
  }
  std::function<void()> caught_;
};

}  // namespace bench::uvx
