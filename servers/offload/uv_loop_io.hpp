// workloads::LoopIo on a libuv loop: a watch is a uv_poll_t, deferred calls run from a uv_idle_t
// (so the loop does not sleep while some are pending). Loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <vector>

#include "loop_io.hpp"

namespace offload {

class UvLoopIo : public workloads::LoopIo {
 public:
  explicit UvLoopIo(uv_loop_t* loop);
  // close() must have run, and the loop turned since, before the object goes.
  ~UvLoopIo() override = default;
  UvLoopIo(const UvLoopIo&) = delete;
  UvLoopIo& operator=(const UvLoopIo&) = delete;

  Watch watch(int fd, bool read, std::function<void()> ready) override;
  void unwatch(Watch watch) override;
  void defer(std::function<void()> fn) override;

  // Closes the idle handle (every watch must be gone): `closed` runs once it is.
  void close(std::function<void()> closed);
  std::size_t watches() const { return watches_; }

 private:
  uv_loop_t* loop_;
  uv_idle_t idle_{};
  std::vector<std::function<void()>> deferred_;
  std::size_t watches_ = 0;
  std::function<void()> closed_;
};

}  // namespace offload
