// What the remote strategy's integration tests share: an offload-worker process (started by
// pid, its ready line awaited under a deadline, stopped and reaped by pid), polling /metrics
// for a condition, and a request answered on a thread of its own.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "raw_http.hpp"

namespace remotetest {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// An offload-worker (or `ip netns exec NS offload-worker ...`, which keeps the pid).
class Worker {
 public:
  Worker(const std::string& program, const std::vector<std::string>& args,
         const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout = 20s) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    offload::hosting::SpawnOptions o;
    o.program = program;
    o.args = args;
    o.env = env;
    o.stdout_fd = out[1];
    const std::string err = offload::hosting::spawn(o, pid_);
    ::close(out[1]);
    if (!err.empty()) {
      ::close(out[0]);
      throw std::runtime_error(err);
    }
    const auto deadline = Clock::now() + timeout;
    std::string text;
    while (text.find(" ready: ") == std::string::npos || text.back() != '\n') {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{out[0], POLLIN, 0};
      char buf[512];
      ssize_t n = 0;
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0 ||
          (n = ::read(out[0], buf, sizeof buf)) <= 0) {
        ::close(out[0]);
        offload::hosting::kill_and_reap(pid_);
        pid_ = -1;
        throw std::runtime_error("offload-worker gave no ready line: '" + text + "'");
      }
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    ready_line_ = text;
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    if (pid_ > 0) offload::hosting::kill_and_reap(pid_);
  }

  pid_t pid() const { return pid_; }
  const std::string& ready_line() const { return ready_line_; }

  // Sends `signum`, waits up to `timeout`; the wait status, or nullopt (then it is killed).
  std::optional<int> stop(int signum, std::chrono::milliseconds timeout = 20s) {
    ::kill(pid_, signum);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(5ms);
    }
    offload::hosting::kill_and_reap(pid_);
    pid_ = -1;
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  std::string ready_line_;
};

inline std::string metrics(int port) {
  const auto reply = testsupport::roundtrip(port, testsupport::get_request("/metrics"));
  return reply ? reply->body : std::string();
}

// Polls /metrics until `series` (labels included, as the server writes them) satisfies `ok`,
// or the deadline passes. Returns the last value seen (-1: absent).
inline double wait_for_metric(int port, const std::string& series,
                              const std::function<bool(double)>& ok,
                              std::chrono::milliseconds timeout = 20s) {
  const auto deadline = Clock::now() + timeout;
  double v = -1;
  do {
    v = testsupport::sample(metrics(port), series);
    if (ok(v)) return v;
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < deadline);
  return v;
}

// GET target on a fresh connection, on a thread of its own.
inline std::future<std::optional<testsupport::Reply>> get_async(
    int port, const std::string& target, std::chrono::milliseconds timeout = 30s) {
  return std::async(std::launch::async, [port, target, timeout] {
    return testsupport::roundtrip(port, testsupport::get_request(target), timeout);
  });
}

}  // namespace remotetest
