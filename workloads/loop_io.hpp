// What a workload that waits on other processes needs from an event loop to run a job on it
// without blocking it: watch a file descriptor, and run a function soon. Free of libuv (the
// strategy that drives such a workload implements it on its loop), so a workload stays
// testable on any loop.
#pragma once

#include <functional>

namespace workloads {

class LoopIo {
 public:
  using Watch = void*;
  virtual ~LoopIo() = default;
  // Calls `ready` on the loop each time `fd` is readable (`read`) or writable, until unwatch().
  virtual Watch watch(int fd, bool read, std::function<void()> ready) = 0;
  // Stops a watch; `ready` is never called again. May be called from inside that `ready`, which
  // must then stay valid until it returns.
  virtual void unwatch(Watch watch) = 0;
  // Runs `fn` on the loop soon, from the loop itself (outside any caller's stack).
  virtual void defer(std::function<void()> fn) = 0;
};

}  // namespace workloads
