// One worker process as the process pool sees it: its pid and its two pipes on the loop. It
// starts the program (Boost.Process), writes job frames to its stdin, reads result frames from
// its stdout, and tells its owner about each result and about its failure (EOF, a write error,
// a broken frame). What to do then (answer the job, replace the worker) is the pool's. Reaper
// takes a worker's pid once its pipes are closed and waits for it.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ticker.hpp"
#include "wire.hpp"

namespace offload {

class WorkerProcess {
 public:
  struct Events {
    std::function<void(wire::ResultMessage&)> result;  // a well-formed result frame
    std::function<void(const std::string& why)> failed;
    std::function<void()> closed;  // both pipes closed (after close()): it may be destroyed
  };

  WorkerProcess() = default;
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // Starts `program args...` with its stdin and stdout on pipes the loop watches; `events`
  // arrive on the loop from then on. "" or a one-line reason; a child forked for an exec that
  // failed is reaped before returning. The object must not move while its pipes are open.
  std::string start(uv_loop_t* loop, const std::string& program,
                    const std::vector<std::string>& args, Events events);

  pid_t pid() const { return pid_; }
  // Writes one frame; a failure arrives as Events::failed.
  void send(const std::string& frame);
  // An idle worker exits when its stdin ends. Idempotent.
  void close_stdin();
  bool stdin_closed() const { return stdin_closed_; }
  // Closes both pipes (no more results or failures); Events::closed follows.
  void close();
  bool closed() const { return closing_; }

 private:
  struct WriteRequest;
  static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_written(uv_write_t* req, int status);
  static void on_pipe_closed(uv_handle_t* handle);
  void received(const char* data, std::size_t len);
  void fail(const std::string& why);

  Events events_;
  pid_t pid_ = -1;
  uv_pipe_t to_{};    // the worker's stdin: jobs
  uv_pipe_t from_{};  // the worker's stdout: results
  int open_handles_ = 0;
  bool stdin_closed_ = false;
  bool closing_ = false;
  wire::FrameReader reader_;
  char read_buffer_[16 * 1024];  // results are a line of text: a read rarely needs more
};

// Waits for worker pids by pid (never waitpid(-1): GPGME and others own their children),
// polling on a loop timer; a worker that has not exited kKillAfterMs after it was handed over
// is killed.
class Reaper {
 public:
  // `exited(pid, status)` for each pid reaped; `idle()` whenever nothing is left to reap.
  Reaper(uv_loop_t* loop, std::function<void(pid_t, int status)> exited,
         std::function<void()> idle);
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;
  // Kills and waits for what is left, synchronously: a killed process is gone within
  // milliseconds, and none may outlive the server.
  ~Reaper() { kill_all_now(); }

  void reap(pid_t pid);
  bool empty() const { return pids_.empty(); }
  void kill_all_now();
  // The poll timer closes; reaping resumes with the next reap().
  void stop() { ticker_.stop(); }

 private:
  struct Entry {
    pid_t pid;
    std::uint64_t since_ms;
    bool killed;
  };
  void poll();

  uv_loop_t* loop_;
  std::function<void(pid_t, int)> exited_;
  std::function<void()> idle_;
  std::vector<Entry> pids_;
  Ticker ticker_{true};  // the loop must not end with a worker unreaped
};

}  // namespace offload
