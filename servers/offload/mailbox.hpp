// Mailbox: hands items from any thread to the loop thread. A locked vector plus one
// uv_async_t; libuv coalesces wake-ups, so each wake-up delivers everything queued.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace offload {

template <class T>
class Mailbox {
 public:
  using Deliver = std::function<void(std::vector<T>&)>;

  // `deliver` runs on the loop thread with every item queued since the last delivery.
  Mailbox(uv_loop_t* loop, Deliver deliver) : async_(new uv_async_t), deliver_(std::move(deliver)) {
    async_->data = this;
    uv_async_init(loop, async_, on_async);
  }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Any thread. Returns false, dropping the item, once close() has begun.
  bool post(T item) {
    // The send happens under the lock that close() takes: no send can race the handle's
    // close (a use-after-free in libuv), and the lock orders the hand-off, which
    // uv_async_send alone does not guarantee in libuv 1.44.
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return false;
    items_.push_back(std::move(item));
    uv_async_send(async_);
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
    uv_close(reinterpret_cast<uv_handle_t*>(async_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  }

 private:
  static void on_async(uv_async_t* handle) { static_cast<Mailbox*>(handle->data)->drain(); }

  void drain() {
    std::vector<T> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(items_);
    }
    if (!batch.empty()) deliver_(batch);
  }

  uv_async_t* async_;
  Deliver deliver_;
  std::mutex mutex_;
  std::vector<T> items_;
  bool closed_ = false;
};

}  // namespace offload
