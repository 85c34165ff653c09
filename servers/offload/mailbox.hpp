// Mailbox: hands items from any thread to the loop thread. A locked vector plus one eventfd
// watched by a uv_poll_t; wake-ups coalesce (only a post into an empty mailbox writes the
// eventfd), so each wake-up delivers everything queued. A post into an empty mailbox always
// writes after its push, and the loop reads the eventfd before it takes the batch: an item is
// never left behind without a wake-up to come.
//
// Why not uv_async_t: in libuv 1.44, uv_async_send does compare-and-swap, write(eventfd),
// compare-and-swap, and the woken loop spins until the second swap lands. When the kernel
// runs the woken loop thread on the sender's core, the loop spins while the sender is
// preempted: measured here, a oneTBB round trip took 43 us p50 through uv_async_t and 11 us
// through this eventfd (the raw floor, eventfd ping-pong between two threads, is 8 us).
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace offload {

template <class T>
class Mailbox {
 public:
  using Deliver = std::function<void(std::vector<T>&)>;

  // `deliver` runs on the loop thread with every item queued since the last delivery.
  Mailbox(uv_loop_t* loop, Deliver deliver)
      : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        poll_(new uv_poll_t),
        deliver_(std::move(deliver)) {
    poll_->data = this;
    if (fd_ < 0 || uv_poll_init(loop, poll_, fd_) != 0) std::abort();  // no fds left at startup
    uv_poll_start(poll_, UV_READABLE, on_readable);
  }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  // The fd lives as long as the object, so a post() racing close() writes to a valid fd.
  ~Mailbox() { ::close(fd_); }

  // Any thread. Returns false, dropping the item, once close() has begun.
  bool post(T item) {
    bool was_empty;
    {
      // The lock orders the hand-off of the item; the wake-up is written after it is released
      // so the woken loop never has to wait for this thread to let go of the lock.
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return false;
      was_empty = items_.empty();
      items_.push_back(std::move(item));
    }
    if (was_empty) {
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);  // only fails if full
    }
    return true;
  }

  // Loop thread, once. Items still queued are dropped. The Mailbox object may outlive this
  // (threads still holding it only see post() return false).
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      closed_ = true;
      items_.clear();
    }
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  }

 private:
  static void on_readable(uv_poll_t* handle, int status, int) {
    if (status == 0) static_cast<Mailbox*>(handle->data)->drain();
  }

  void drain() {
    std::uint64_t count;
    [[maybe_unused]] const ssize_t n = ::read(fd_, &count, sizeof count);  // re-arms the fd
    std::vector<T> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(items_);
    }
    if (!batch.empty()) deliver_(batch);
  }

  int fd_;
  uv_poll_t* poll_;  // owned; freed in its close callback
  Deliver deliver_;
  std::mutex mutex_;
  std::vector<T> items_;
  bool closed_ = false;
};

}  // namespace offload
