// Test support for the harness: a tiny HTTP/1.1 keep-alive server in a thread of the test
// process, on 127.0.0.1 with an ephemeral port. It answers every request with "ok" at once,
// except that it can stall once, like an event loop stuck in a long job: after `stall_after`
// from its first request, it stops serving everything for `stall_for`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace testsupport {

class TestHttpServer {
 public:
  struct Options {
    std::chrono::milliseconds stall_after{-1};  // negative: never stall
    std::chrono::milliseconds stall_for{0};
  };

  explicit TestHttpServer(Options options);
  TestHttpServer() : TestHttpServer(Options{}) {}
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::uint64_t requests() const { return requests_.load(); }
  // CLOCK_MONOTONIC nanoseconds (the clock of uv_hrtime) of the stall; 0 before it happened.
  std::uint64_t stall_start_ns() const { return stall_start_ns_.load(); }
  std::uint64_t stall_end_ns() const { return stall_end_ns_.load(); }

 private:
  void serve();

  Options options_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> stall_start_ns_{0};
  std::atomic<std::uint64_t> stall_end_ns_{0};
  std::thread thread_;
};

std::uint64_t monotonic_ns();

}  // namespace testsupport
