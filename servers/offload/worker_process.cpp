// A worker process's start, pipes and frames, and the reaping of worker pids.
#include "worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <cstring>

namespace bp = boost::process;

namespace offload {

namespace {

constexpr std::uint64_t kReapPollMs = 10;
constexpr std::uint64_t kKillAfterMs = 2000;  // a retired worker that has not exited by then

// Boost.Process 1.74 returns a child whose id() is -1 when exec fails, although it did fork a
// child (which has exited by then): this initializer keeps that pid so it can be reaped.
struct ForkedPid : bp::extend::handler {
  explicit ForkedPid(pid_t* out) : out(out) {}
  template <class Executor>
  void on_error(Executor& exec, const std::error_code&) const {
    *out = exec.pid;
  }
  pid_t* out;
};

}  // namespace

struct WorkerProcess::WriteRequest {
  uv_write_t req;
  std::string bytes;
};

std::string WorkerProcess::start(uv_loop_t* loop, const std::string& program,
                                 const std::vector<std::string>& args, Events events) {
  int to[2], from[2];
  // O_CLOEXEC: our ends must not leak into later workers (or gpg); the child's ends are
  // dup2'ed onto its stdin/stdout, which clears the flag there.
  if (pipe2(to, O_CLOEXEC) != 0) return std::strerror(errno);
  if (pipe2(from, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(to[0]);
    ::close(to[1]);
    return std::strerror(e);
  }
  std::error_code ec;
  pid_t forked = -1;
  bp::child child(bp::exe = program, bp::args = args, bp::posix::fd.bind(0, to[0]),
                  bp::posix::fd.bind(1, from[1]), ForkedPid(&forked), ec);
  ::close(to[0]);
  ::close(from[1]);
  if (ec) {
    // A failed exec still leaves a child that exited: reap it, or it stays a zombie.
    if (forked > 0) waitpid(forked, nullptr, 0);
    child.detach();
    ::close(to[1]);
    ::close(from[0]);
    return ec.message();
  }
  child.detach();  // reaped by pid (Reaper); ~child must not kill it
  events_ = std::move(events);
  pid_ = child.id();
  uv_pipe_init(loop, &to_, 0);
  uv_pipe_init(loop, &from_, 0);
  to_.data = this;
  from_.data = this;
  open_handles_ = 2;
  uv_pipe_open(&to_, to[1]);
  uv_pipe_open(&from_, from[0]);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&from_), on_alloc, on_read);
  return {};
}

void WorkerProcess::send(const std::string& frame) {
  auto* stream = reinterpret_cast<uv_stream_t*>(&to_);
  // A job frame is a few bytes and the pipe is empty while the worker is idle: it nearly
  // always goes in one direct write, without a request to allocate and a callback to wait.
  uv_buf_t buf = uv_buf_init(const_cast<char*>(frame.data()), static_cast<unsigned>(frame.size()));
  const int n = uv_try_write(stream, &buf, 1);
  if (n == static_cast<int>(frame.size())) return;
  if (n < 0 && n != UV_EAGAIN) {
    fail("cannot write to the worker");
    return;
  }
  auto* write = new WriteRequest;
  write->bytes = frame.substr(n > 0 ? static_cast<std::size_t>(n) : 0);
  write->req.data = this;
  buf = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
  if (uv_write(&write->req, stream, &buf, 1, on_written) != 0) {
    delete write;
    fail("cannot write to the worker");
  }
}

void WorkerProcess::on_written(uv_write_t* req, int status) {
  auto* write = reinterpret_cast<WriteRequest*>(req);
  auto* self = static_cast<WorkerProcess*>(req->data);
  delete write;
  // UV_ECANCELED: the pipe was closed under the write, which its closer knows.
  if (status < 0 && status != UV_ECANCELED) self->fail("cannot write to the worker");
}

void WorkerProcess::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<WorkerProcess*>(handle->data);
  *buf = uv_buf_init(self->read_buffer_, sizeof self->read_buffer_);
}

void WorkerProcess::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<WorkerProcess*>(stream->data);
  if (nread > 0) {
    self->received(buf->base, static_cast<std::size_t>(nread));
  } else if (nread < 0) {
    self->fail(nread == UV_EOF ? "it exited" : uv_strerror(static_cast<int>(nread)));
  }
}

void WorkerProcess::received(const char* data, std::size_t len) {
  reader_.feed(data, len);
  std::string_view payload;
  // A result may make the owner close this worker: no frame is read after that.
  while (!closing_) {
    const auto status = reader_.next(payload);
    if (status == wire::FrameReader::Status::need_more) return;
    wire::ResultMessage message;
    if (status == wire::FrameReader::Status::error || !wire::decode(payload, message)) {
      fail("protocol error: " +
           (reader_.error().empty() ? std::string("bad result") : reader_.error()));
      return;
    }
    events_.result(message);
  }
}

void WorkerProcess::fail(const std::string& why) {
  if (!closing_) events_.failed(why);
}

void WorkerProcess::close_stdin() {
  if (stdin_closed_) return;
  stdin_closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&to_), on_pipe_closed);
}

void WorkerProcess::close() {
  if (closing_) return;
  closing_ = true;
  close_stdin();
  uv_close(reinterpret_cast<uv_handle_t*>(&from_), on_pipe_closed);
}

void WorkerProcess::on_pipe_closed(uv_handle_t* handle) {
  auto* self = static_cast<WorkerProcess*>(handle->data);
  if (--self->open_handles_ > 0) return;
  // The last thing done with `self`: its owner may destroy it (and its events) in the call,
  // hence the callback runs from a local.
  const auto closed = std::move(self->events_.closed);
  closed();
}

Reaper::Reaper(uv_loop_t* loop, std::function<void(pid_t, int)> exited, std::function<void()> idle)
    : loop_(loop), exited_(std::move(exited)), idle_(std::move(idle)) {}

void Reaper::reap(pid_t pid) {
  pids_.push_back({pid, uv_now(loop_), false});
  if (!ticker_.active()) ticker_.start(loop_, 0, kReapPollMs, [this] { poll(); });
}

void Reaper::poll() {
  const std::uint64_t now = uv_now(loop_);
  for (auto it = pids_.begin(); it != pids_.end();) {
    int status = 0;
    const pid_t r = waitpid(it->pid, &status, WNOHANG);
    if (r == it->pid || (r < 0 && errno == ECHILD)) {
      const pid_t pid = it->pid;
      it = pids_.erase(it);
      if (r == pid) exited_(pid, status);
      continue;
    }
    if (!it->killed && now - it->since_ms >= kKillAfterMs) {
      kill(it->pid, SIGKILL);
      it->killed = true;
    }
    ++it;
  }
  if (pids_.empty()) {
    ticker_.stop();
    idle_();
  }
}

void Reaper::kill_all_now() {
  for (const auto& p : pids_) {
    kill(p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
  }
  pids_.clear();
}

}  // namespace offload
