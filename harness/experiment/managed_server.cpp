// Descriptors handed to the child are created close-on-exec here and dup2'ed onto its 0, 1
// and 2 (which clears the flag there), so nothing else of the harness leaks into servers.
#include "experiment/managed_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace bp = boost::process;

namespace bench {

namespace {

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

constexpr std::uint64_t kReapPollMs = 20;
constexpr const char* kReady = "listening on ";

}  // namespace

struct ManagedServer::Pipe {
  uv_pipe_t handle;  // first member
  ManagedServer* owner;
  char buffer[4096];
};

ManagedServer::ManagedServer(uv_loop_t* loop, Events events)
    : loop_(loop),
      events_(std::move(events)),
      reap_timer_(loop, [this] { poll_exit(); }),
      ready_timer_(loop,
                   [this] {
                     if (ready_ || reaped_) return;
                     kill(pid_, SIGKILL);  // reaped by the next poll, which reports it
                     killed_ = true;
                     close_pipe();
                     if (!silent_ && events_.died) {
                       silent_ = true;
                       events_.died("it printed no ready line in time (killed)");
                     }
                   }),
      kill_timer_(loop, [this] {
        if (!reaped_) {
          kill(pid_, SIGKILL);
          killed_ = true;
        }
      }) {}

ManagedServer::~ManagedServer() {
  silent_ = true;
  if (running()) kill_now();
  close_pipe();
}

std::string ManagedServer::start(const std::string& program, const std::vector<std::string>& args,
                                 const std::string& log_path, double ready_timeout_s,
                                 const std::vector<std::string>& unset_env) {
  log_path_ = log_path;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || null < 0) {
    const std::string err = std::strerror(errno);
    for (int fd : {out[0], out[1], log, null})
      if (fd >= 0) ::close(fd);
    return "cannot open " + log_path + ": " + err;
  }
  bp::environment env = boost::this_process::environment();
  // erase() is a no-op for an absent name. Not find(): in Boost 1.74 it compares name + '='
  // against every entry with memcmp and reads past the end of any shorter one.
  for (const auto& name : unset_env) env.erase(name);
  std::error_code ec;
  pid_t forked = -1;
  bp::child child(bp::exe = program, bp::args = args, env, bp::posix::fd.bind(0, null),
                  bp::posix::fd.bind(1, out[1]), bp::posix::fd.bind(2, log), ForkedPid(&forked),
                  ec);
  ::close(out[1]);
  ::close(log);
  ::close(null);
  if (ec) {
    // A failed exec leaves a child that has already exited: reap it, or it stays a zombie.
    if (forked > 0) waitpid(forked, nullptr, 0);
    child.detach();
    ::close(out[0]);
    return "cannot start " + program + ": " + ec.message();
  }
  child.detach();  // owned by pid from here; ~child must not kill it
  pid_ = child.id();
  started_ns_ = uv_hrtime();

  pipe_ = new Pipe;
  pipe_->owner = this;
  uv_pipe_init(loop_, &pipe_->handle, 0);
  uv_pipe_open(&pipe_->handle, out[0]);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&pipe_->handle), on_alloc, on_read);
  reap_timer_.start(kReapPollMs, kReapPollMs);
  ready_timer_.start(static_cast<std::uint64_t>(std::llround(ready_timeout_s * 1000)));
  return {};
}

void ManagedServer::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
  auto* p = reinterpret_cast<Pipe*>(h);
  *buf = uv_buf_init(p->buffer, sizeof p->buffer);
}

void ManagedServer::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* p = reinterpret_cast<Pipe*>(s);
  if (p->owner == nullptr) return;
  if (n > 0) {
    p->owner->output(buf->base, static_cast<std::size_t>(n));
  } else if (n < 0) {
    p->owner->close_pipe();  // EOF: it exited (or closed stdout); the reaper says which
  }
}

void ManagedServer::output(const char* data, std::size_t len) {
  if (ready_) return;  // later output is read only so the server never blocks on it
  line_.append(data, len);
  for (std::size_t nl; !ready_ && (nl = line_.find('\n')) != std::string::npos;) {
    const std::string line = line_.substr(0, nl);
    line_.erase(0, nl + 1);
    const auto at = line.find(kReady);
    if (at == std::string::npos) continue;
    const std::string rest = line.substr(at + std::strlen(kReady));
    const std::string hostport = rest.substr(0, rest.find(' '));
    const int port = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
    if (port <= 0) continue;
    ready_ = true;
    ready_timer_.stop();
    if (events_.ready) events_.ready(port);
  }
}

void ManagedServer::stop(double grace_s) {
  if (!running() || stopping_) return;
  stopping_ = true;
  kill(pid_, SIGTERM);
  kill_timer_.start(static_cast<std::uint64_t>(std::llround(grace_s * 1000)));
}

void ManagedServer::kill_now() {
  if (!running()) return;
  silent_ = true;
  kill(pid_, SIGKILL);
  killed_ = true;
  // SIGKILL cannot be caught: the wait is short unless the kernel itself is stuck.
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  reap_timer_.stop();
  kill_timer_.stop();
  ready_timer_.stop();
}

void ManagedServer::poll_exit() {
  if (reaped_) return;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited(status);
  } else if (r < 0 && errno == ECHILD) {
    exited(-1);  // someone else reaped it: we cannot know how it ended
  }
}

void ManagedServer::exited(int status) {
  reaped_ = true;
  reap_timer_.stop();
  kill_timer_.stop();
  ready_timer_.stop();
  if (silent_) return;
  const std::string how = status < 0 ? "it was reaped elsewhere" : describe_status(status);
  if (stopping_) {
    const bool clean = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !killed_;
    if (events_.stopped)
      events_.stopped(clean, killed_ ? how + " (killed after the grace period)" : how);
  } else if (events_.died) {
    silent_ = true;
    events_.died(ready_ ? "it " + how : "it ended before printing its ready line: it " + how);
  }
}

void ManagedServer::close_pipe() {
  if (pipe_ == nullptr) return;
  pipe_->owner = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe_->handle),
           [](uv_handle_t* h) { delete reinterpret_cast<Pipe*>(h); });
  pipe_ = nullptr;
}

std::string ManagedServer::describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "was killed by signal " + std::to_string(WTERMSIG(status)) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace bench
