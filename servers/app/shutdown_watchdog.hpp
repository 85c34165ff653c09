// The last guarantee of a bounded shutdown: a thread of its own, with a libuv loop of its own,
// that sees SIGINT/SIGTERM even while the event loop cannot (an inline job runs on it, and a
// naive fib(60) runs for hours).
//
// libuv delivers a signal to every uv_signal_t watching it, whatever loop each belongs to, so
// the service's loop and this one both hear it; normally the service drains, stops its pool
// and leaves well before the watchdog's deadline. If the service has not begun to leave by
// then (--drain-timeout plus a second after the first signal, a short moment after a second
// signal), the watchdog runs `abandon` (say what is left behind, remove what must not be left)
// and ends the process with _exit, the way the service itself leaves when its pool's jobs
// cannot be stopped.
//
// Who leaves: the service calls leave() before its own teardown. Whoever comes first wins;
// the watchdog never acts once leave() has been called, and leave() after the watchdog began
// to act blocks until the process is gone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace app {

class ShutdownWatchdog {
 public:
  struct Deadlines {
    std::uint64_t after_first_ms = 0;   // from the first signal
    std::uint64_t after_second_ms = 0;  // from the second signal
  };

  // Starts the thread; once this returns, the watchdog hears every signal. `abandon` runs on
  // the watchdog's thread while the event loop's thread is stuck in a job: it may only touch
  // what that job does not.
  ShutdownWatchdog(Deadlines deadlines, std::function<void()> abandon);
  // Stands down and joins the thread. Closing its signal watchers may restore the signals'
  // default action: a caller still busy afterwards ignores them again.
  ~ShutdownWatchdog();
  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

  // The service is leaving by itself: the watchdog stands down for good. Blocks for ever if the
  // watchdog has already begun to end the process.
  void leave();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace app
