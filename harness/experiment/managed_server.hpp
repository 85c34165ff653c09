// An offload-server the experiment starts and stops itself. Started with Boost.Process and
// then owned by pid alone (the child object is detached): Boost's wait_for would swap the
// process-wide SIGCHLD handler under libuv, so the pid is polled with waitpid(pid, WNOHANG)
// from a loop timer instead, and only this pid is ever waited for. Its stdout is read on the
// loop until the ready line ("listening on HOST:PORT ..."); its stderr goes to a log file.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "uv/handles.hpp"

namespace bench {

class ManagedServer {
 public:
  struct Events {
    std::function<void(int port)> ready;
    // Exited (or never got ready) without being asked to stop; a one-line reason.
    std::function<void(const std::string& why)> died;
    // Exited after stop(); `clean` when it exited with status 0, `how` says how it ended.
    std::function<void(bool clean, const std::string& how)> stopped;
  };

  ManagedServer(uv_loop_t* loop, Events events);
  ~ManagedServer();  // a server still running is killed and reaped, synchronously
  ManagedServer(const ManagedServer&) = delete;
  ManagedServer& operator=(const ManagedServer&) = delete;

  // Returns "" or why it could not be started at all. `unset_env`: variables removed from the
  // server's environment (the knobs' fallbacks, so only its arguments configure it).
  std::string start(const std::string& program, const std::vector<std::string>& args,
                    const std::string& log_path, double ready_timeout_s,
                    const std::vector<std::string>& unset_env = {});
  void stop(double grace_s);  // SIGTERM now, SIGKILL after grace_s; then `stopped`
  void kill_now();            // SIGKILL and reap, synchronously; no event follows

  pid_t pid() const { return pid_; }
  std::uint64_t started_ns() const { return started_ns_; }
  bool running() const { return pid_ > 0 && !reaped_; }

  static std::string describe_status(int wait_status);

 private:
  struct Pipe;  // the stdout pipe's uv handle, freed in its close callback
  static void on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  void output(const char* data, std::size_t len);
  void poll_exit();
  void exited(int status);
  void close_pipe();

  uv_loop_t* loop_;
  Events events_;
  pid_t pid_ = -1;
  std::uint64_t started_ns_ = 0;
  std::string log_path_;
  std::string line_;
  Pipe* pipe_ = nullptr;
  bool ready_ = false;
  bool stopping_ = false;
  bool killed_ = false;
  bool reaped_ = false;
  bool silent_ = false;  // kill_now: no events any more
  uvx::Timer reap_timer_;
  uvx::Timer ready_timer_;
  uvx::Timer kill_timer_;
};

}  // namespace bench
