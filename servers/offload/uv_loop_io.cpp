#include "uv_loop_io.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace offload {

namespace {

struct PollWatch {
  uv_poll_t handle{};
  std::function<void()> ready;
};

}  // namespace

UvLoopIo::UvLoopIo(uv_loop_t* loop) : loop_(loop) {
  uv_idle_init(loop_, &idle_);
  idle_.data = this;
}

workloads::LoopIo::Watch UvLoopIo::watch(int fd, bool read, std::function<void()> ready) {
  auto* w = new PollWatch{{}, std::move(ready)};
  if (uv_poll_init(loop_, &w->handle, fd) != 0) {
    // Only a descriptor libuv cannot poll fails here; GPGME hands us pipes.
    std::fprintf(stderr, "offload-server: cannot watch descriptor %d\n", fd);
    std::abort();
  }
  w->handle.data = w;
  uv_poll_start(&w->handle, read ? UV_READABLE : UV_WRITABLE, [](uv_poll_t* h, int, int) {
    // Called on errors too (status < 0): the owner's read or write then sees the error itself.
    static_cast<PollWatch*>(h->data)->ready();
  });
  ++watches_;
  return w;
}

void UvLoopIo::unwatch(Watch watch) {
  auto* w = static_cast<PollWatch*>(watch);
  --watches_;
  // The watch may be inside its own ready(): it is freed once libuv has closed it, later.
  uv_close(reinterpret_cast<uv_handle_t*>(&w->handle),
           [](uv_handle_t* h) { delete static_cast<PollWatch*>(h->data); });
}

void UvLoopIo::defer(std::function<void()> fn) {
  deferred_.push_back(std::move(fn));
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&idle_))) return;
  uv_idle_start(&idle_, [](uv_idle_t* h) {
    auto* self = static_cast<UvLoopIo*>(h->data);
    auto batch = std::exchange(self->deferred_, {});
    for (auto& fn : batch) fn();  // may defer more: they run on the next turn
    if (self->deferred_.empty()) uv_idle_stop(&self->idle_);
  });
}

void UvLoopIo::close(std::function<void()> closed) {
  closed_ = std::move(closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), [](uv_handle_t* h) {
    auto* self = static_cast<UvLoopIo*>(h->data);
    if (self->closed_) std::exchange(self->closed_, {})();
  });
}

}  // namespace offload
