// process: `workers` long-lived worker processes (this program in worker mode), started with
// Boost.Process, one job at a time each, framed over the worker's stdin/stdout (wire.hpp).
// The loop reads the workers' pipes; a worker that dies is noticed by EOF on its pipe, its
// job is answered as lost, its pid is reaped by pid (never waitpid(-1): GPGME and others own
// their children) and a replacement is started, with a back-off if workers keep dying young.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cstdio>
#include <cstring>
#include <deque>
#include <list>
#include <optional>

#include "offloader.hpp"
#include "ticker.hpp"
#include "wire.hpp"

namespace bp = boost::process;

namespace offload {

namespace {

constexpr std::uint64_t kReapPollMs = 10;
constexpr std::uint64_t kKillAfterMs = 2000;   // a retired worker that has not exited by then
constexpr std::uint64_t kYoungDeathMs = 1000;  // dying sooner than this counts as a crash loop
constexpr std::uint64_t kMaxBackoffMs = 10'000;
constexpr std::uint64_t kDeadlineCheckMs = 20;

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

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

class ProcessPool final : public Offloader {
 public:
  ProcessPool(uv_loop_t* loop, const PoolConfig& config)
      : loop_(loop), config_(config), reap_timer_(new uv_timer_t), respawn_timer_(new uv_timer_t) {
    uv_timer_init(loop_, reap_timer_);
    reap_timer_->data = this;
    uv_timer_init(loop_, respawn_timer_);
    respawn_timer_->data = this;
    if (config_.job_timeout_ms > 0)
      deadline_ticker_.start(loop_, kDeadlineCheckMs, [this] { expire(); });
    if (max_workers() > min_workers()) {
      const std::uint64_t every = std::max<std::uint64_t>(config_.worker_idle_timeout_ms / 4, 10);
      idle_ticker_.start(loop_, every, [this] { shrink(); });
    }
    fill();
  }

  ~ProcessPool() override {
    // Normally stop() has run. If not, leave no child behind: kill and reap synchronously.
    for (auto& w : workers_) {
      if (!w.retired) kill(w.pid, SIGKILL);
      if (!w.reaped) waitpid(w.pid, nullptr, 0);
    }
    for (auto& r : reaping_) waitpid(r.pid, nullptr, 0);
  }

  Admission submit(workloads::Job job, Done done) override {
    if (stopping_) return Admission::full;
    // A full queue still admits a job that a new worker of an elastic pool can take at once:
    // with --max-queue 0 the pool would otherwise never grow.
    if (queue_.size() >= config_.max_queue && idle_worker() == nullptr && !grow())
      return Admission::full;
    const std::uint64_t deadline =
        config_.job_timeout_ms > 0 ? uv_now(loop_) + config_.job_timeout_ms : 0;
    queue_.push_back({++next_id_, job, std::move(done), deadline, uv_hrtime(), 0});
    dispatch();
    return Admission::accepted;
  }

  PoolStats stats() const override {
    PoolStats s;
    s.queued = queue_.size();
    for (const auto& w : workers_) {
      if (w.retired || w.leaving) continue;
      ++s.workers;
      if (w.job) ++s.running;
      s.per_worker.push_back(
          {w.pid, w.slot, slot_restarts(w.slot), w.job.has_value(), w.jobs_done});
    }
    s.restarts = restarts_;
    s.timed_out = timed_out_;
    s.young_deaths = young_deaths_;
    s.recycled = recycled_;
    s.backoff_ms = backoff_ms_;
    return s;
  }

  void stop(std::function<void()> stopped) override {
    stopping_ = true;
    stopped_ = std::move(stopped);
    uv_timer_stop(respawn_timer_);
    while (!queue_.empty()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      p.done({JobStatus::cancelled, {false, "server is shutting down", 0}, {}});
    }
    for (auto& w : workers_) {
      // An idle worker exits when its stdin ends; a busy one's answer is no longer wanted.
      if (w.job) kill(w.pid, SIGKILL);
      close_stdin(w);
    }
    maybe_stopped();
  }

  // Shutdown is out of time: every worker is killed and reaped here and now, synchronously
  // (a killed process is gone within milliseconds), so none outlives the server.
  std::vector<std::string> abandon() override {
    stopping_ = true;
    stopped_ = nullptr;
    std::vector<std::string> left;
    for (auto& w : workers_) {
      if (w.job)
        left.push_back(describe(w.job->job) + " in worker process " + std::to_string(w.pid) +
                       " (killed)");
      if (w.reaped) continue;
      kill(w.pid, SIGKILL);
      waitpid(w.pid, nullptr, 0);
      w.reaped = true;
    }
    for (const auto& r : reaping_) {
      kill(r.pid, SIGKILL);
      waitpid(r.pid, nullptr, 0);
    }
    reaping_.clear();
    queue_.clear();
    return left;
  }

 private:
  struct Pending {
    std::uint64_t id;
    workloads::Job job;
    Done done;
    std::uint64_t deadline_ms;  // 0: none
    std::uint64_t accepted_ns;
    std::uint64_t sent_ns;  // its frame went to the worker's pipe
  };

  struct Worker {
    ProcessPool* pool = nullptr;
    pid_t pid = -1;
    uv_pipe_t to{};    // the worker's stdin: jobs
    uv_pipe_t from{};  // the worker's stdout: results
    int open_handles = 0;
    bool stdin_closed = false;
    bool retired = false;  // no longer takes jobs; its pipes are closing
    bool leaving = false;  // recycled or idle too long: takes no job, its replacement may
                           // already run, and its stdin is closing
    bool reaped = false;
    bool killed_for_timeout = false;  // its death is our doing, not a crash
    std::uint64_t started_ms = 0;
    std::uint64_t jobs_done = 0;
    std::uint64_t idle_since_ms = 0;
    std::size_t slot = 0;  // which worker it is: 0..workers-1, inherited by its replacement
    wire::FrameReader reader;
    std::optional<Pending> job;
    std::list<Worker>::iterator self;
  };

  struct WriteRequest {
    uv_write_t req;
    std::string bytes;
  };

  struct Reaping {
    pid_t pid;
    std::uint64_t since_ms;
    bool killed;
  };

  std::size_t alive() const {
    std::size_t n = 0;
    for (const auto& w : workers_) n += (w.retired || w.leaving) ? 0 : 1;
    return n;
  }

  Worker* idle_worker() {
    for (auto& w : workers_)
      if (!w.retired && !w.leaving && !w.job && !w.killed_for_timeout) return &w;
    return nullptr;
  }

  // Starts workers until the pool is full again, or schedules a retry after a failure.
  void fill() {
    while (!stopping_ && alive() < min_workers()) {
      if (!spawn()) {
        schedule_respawn();
        return;
      }
    }
    dispatch();
  }

  // The lowest worker number no live worker has.
  std::size_t free_slot() const {
    for (std::size_t slot = 0;; ++slot) {
      bool taken = false;
      for (const auto& w : workers_) taken = taken || (!w.retired && !w.leaving && w.slot == slot);
      if (!taken) return slot;
    }
  }

  bool spawn() {
    const std::size_t slot = free_slot();
    std::vector<std::string> args = config_.worker_args;
    args.push_back("--slot");
    args.push_back(std::to_string(slot));
    int to[2], from[2];
    // O_CLOEXEC: our ends must not leak into later workers (or gpg); the child's ends are
    // dup2'ed onto its stdin/stdout, which clears the flag there.
    if (pipe2(to, O_CLOEXEC) != 0) return spawn_failed(std::strerror(errno));
    if (pipe2(from, O_CLOEXEC) != 0) {
      const int e = errno;
      ::close(to[0]);
      ::close(to[1]);
      return spawn_failed(std::strerror(e));
    }
    std::error_code ec;
    pid_t forked = -1;
    bp::child child(bp::exe = config_.worker_program, bp::args = args, bp::posix::fd.bind(0, to[0]),
                    bp::posix::fd.bind(1, from[1]), ForkedPid(&forked), ec);
    ::close(to[0]);
    ::close(from[1]);
    if (ec) {
      // A failed exec still leaves a child that exited: reap it, or it stays a zombie.
      if (forked > 0) waitpid(forked, nullptr, 0);
      child.detach();
      ::close(to[1]);
      ::close(from[0]);
      return spawn_failed(ec.message());
    }
    child.detach();  // we reap by pid; ~child must not kill it

    workers_.emplace_back();
    Worker& w = workers_.back();
    w.self = std::prev(workers_.end());
    w.pool = this;
    w.pid = child.id();
    w.slot = slot;
    w.idle_since_ms = uv_now(loop_);
    w.started_ms = uv_now(loop_);
    uv_pipe_init(loop_, &w.to, 0);
    uv_pipe_init(loop_, &w.from, 0);
    w.to.data = &w;
    w.from.data = &w;
    w.open_handles = 2;
    uv_pipe_open(&w.to, to[1]);
    uv_pipe_open(&w.from, from[0]);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&w.from), on_alloc, on_read);
    return true;
  }

  bool spawn_failed(const std::string& why) {
    std::fprintf(stderr, "offload-server: cannot start a worker: %s\n", why.c_str());
    ++young_deaths_;
    return false;
  }

  void schedule_respawn() {
    if (stopping_ || uv_is_active(reinterpret_cast<uv_handle_t*>(respawn_timer_))) return;
    const unsigned shift = young_deaths_ < 8 ? young_deaths_ : 8;
    const std::uint64_t delay = std::min<std::uint64_t>(50ull << shift, kMaxBackoffMs);
    backoff_ms_ = delay;
    if (young_deaths_ >= 3)
      std::fprintf(
          stderr, "offload-server: workers keep dying young (%u in a row); next start in %llu ms\n",
          young_deaths_, static_cast<unsigned long long>(delay));
    uv_timer_start(
        respawn_timer_, [](uv_timer_t* t) { static_cast<ProcessPool*>(t->data)->fill(); }, delay,
        0);
  }

  // Idle workers take queued jobs; while jobs still wait, an elastic pool grows (not during a
  // crash loop: then only the back-off starts workers).
  void dispatch() {
    while (!queue_.empty()) {
      Worker* w = idle_worker();
      if (w == nullptr) {
        if (!grow()) return;
        continue;
      }
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      send(*w, std::move(p));
    }
  }

  // One more worker for an elastic pool below its maximum; not while stopping, nor during a
  // crash loop (then only the back-off starts workers).
  bool grow() { return !stopping_ && young_deaths_ == 0 && alive() < max_workers() && spawn(); }

  unsigned min_workers() const {
    return config_.min_workers > 0 ? config_.min_workers : config_.workers;
  }
  unsigned max_workers() const {
    return std::max(min_workers(), config_.max_workers > 0 ? config_.max_workers : config_.workers);
  }

  std::uint64_t slot_restarts(std::size_t slot) const {
    return slot < slot_restarts_.size() ? slot_restarts_[slot] : 0;
  }

  // A worker leaves gracefully: no new job, stdin closed, it exits, its EOF retires it.
  void let_go(Worker& w) {
    w.leaving = true;
    close_stdin(w);
  }

  // Idle workers beyond the minimum leave after the idle timeout.
  void shrink() {
    const std::uint64_t now = uv_now(loop_);
    for (auto& w : workers_) {
      if (alive() <= min_workers()) return;
      if (!w.retired && !w.leaving && !w.job &&
          now - w.idle_since_ms >= config_.worker_idle_timeout_ms)
        let_go(w);
    }
  }

  void send(Worker& w, Pending p) {
    std::string bytes = wire::encode(wire::JobMessage{p.id, p.job});
    p.sent_ns = uv_hrtime();
    w.job = std::move(p);
    auto* stream = reinterpret_cast<uv_stream_t*>(&w.to);
    // A job frame is a few bytes and the pipe is empty while the worker is idle: it nearly
    // always goes in one direct write, without a request to allocate and a callback to wait.
    uv_buf_t buf = uv_buf_init(bytes.data(), static_cast<unsigned>(bytes.size()));
    const int n = uv_try_write(stream, &buf, 1);
    if (n == static_cast<int>(bytes.size())) return;
    if (n < 0 && n != UV_EAGAIN) {
      worker_failed(w, "cannot write to the worker");
      return;
    }
    auto* write = new WriteRequest;
    write->bytes = bytes.substr(n > 0 ? static_cast<std::size_t>(n) : 0);
    write->req.data = &w;
    buf = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
    if (uv_write(&write->req, stream, &buf, 1, on_written) != 0) {
      delete write;
      worker_failed(w, "cannot write to the worker");
    }
  }

  static void on_written(uv_write_t* req, int status) {
    auto* write = reinterpret_cast<WriteRequest*>(req);
    auto* w = static_cast<Worker*>(req->data);
    delete write;
    if (status < 0 && status != UV_ECANCELED)
      w->pool->worker_failed(*w, "cannot write to the worker");
  }

  static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* pool = static_cast<Worker*>(handle->data)->pool;
    *buf = uv_buf_init(pool->read_buffer_, sizeof pool->read_buffer_);
  }

  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* w = static_cast<Worker*>(stream->data);
    if (nread > 0) {
      w->pool->received(*w, buf->base, static_cast<std::size_t>(nread));
    } else if (nread < 0) {
      w->pool->worker_failed(*w,
                             nread == UV_EOF ? "it exited" : uv_strerror(static_cast<int>(nread)));
    }
  }

  void received(Worker& w, const char* data, std::size_t len) {
    w.reader.feed(data, len);
    std::string_view payload;
    for (;;) {
      const auto status = w.reader.next(payload);
      if (status == wire::FrameReader::Status::need_more) break;
      wire::ResultMessage message;
      if (status == wire::FrameReader::Status::error || !wire::decode(payload, message) || !w.job ||
          message.id != w.job->id) {
        worker_failed(w, "protocol error: " + (w.reader.error().empty() ? std::string("bad result")
                                                                        : w.reader.error()));
        return;
      }
      const JobTiming timing = timing_of(*w.job, message);
      Done done = std::move(w.job->done);
      w.job.reset();
      ++w.jobs_done;
      w.idle_since_ms = uv_now(loop_);
      young_deaths_ = 0;  // a worker that finished a job is healthy
      backoff_ms_ = 0;
      if (config_.max_jobs_per_worker > 0 && w.jobs_done >= config_.max_jobs_per_worker &&
          !stopping_) {
        // Recycle: the replacement is started first (it takes this worker's slot), then this
        // one leaves; it is idle now, so no request is in its hands.
        w.leaving = true;
        ++recycled_;
        fill();
        close_stdin(w);
      }
      done({JobStatus::done, std::move(message.result), timing});
      if (w.retired) return;
    }
    dispatch();
  }

  // The worker reports how long the job waited in its hands (frame read -> start) and ran
  // (start -> end), on its own clock; only durations cross the pipe, so a worker on another
  // clock (another host, one day) would do as well. What the parent sees beyond those, the
  // round trip minus both, is the pipe's transit there and back plus the worker's framing: it
  // cannot be split without a shared clock, so half is charged to the queue wait and half to
  // the hand-back, as NTP splits a round trip. The three parts still add up to the whole.
  static JobTiming timing_of(const Pending& p, const wire::ResultMessage& m) {
    const std::uint64_t received_ns = uv_hrtime();
    const std::uint64_t round_trip = received_ns - p.sent_ns;
    const std::uint64_t inside = m.wait_ns + m.service_ns;
    const std::uint64_t transit = round_trip > inside ? round_trip - inside : 0;
    JobTiming t;
    t.accepted_ns = p.accepted_ns;
    t.started_ns = p.sent_ns + transit / 2 + (inside <= round_trip ? m.wait_ns : 0);
    t.finished_ns = inside <= round_trip ? t.started_ns + m.service_ns : received_ns;
    return t;
  }

  void worker_failed(Worker& w, const std::string& why) {
    if (w.retired) return;
    const bool expected = stopping_ || w.stdin_closed;
    if (!expected) {
      kill(w.pid, SIGKILL);  // whatever state it is in, it is replaced
      ++restarts_;
      if (slot_restarts_.size() <= w.slot) slot_restarts_.resize(w.slot + 1);
      ++slot_restarts_[w.slot];
      if (!w.killed_for_timeout && uv_now(loop_) - w.started_ms < kYoungDeathMs) ++young_deaths_;
    }
    retire(w);
    if (w.job) {
      Done done = std::move(w.job->done);
      w.job.reset();
      done(
          {JobStatus::lost,
           {false,
            "worker process " + std::to_string(w.pid) + " died while running the job (" + why + ")",
            0},
           {}});
    }
    if (stopping_) {
      maybe_stopped();
    } else if (young_deaths_ > 0) {
      schedule_respawn();
    } else {
      fill();
    }
  }

  // Jobs past their deadline are answered now: a queued one leaves the queue, a running
  // one's worker is killed (the only way to stop a computation) and replaced.
  void expire() {
    const std::uint64_t now = uv_now(loop_);
    std::vector<Done> late;
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->deadline_ms != 0 && now >= it->deadline_ms) {
        late.push_back(std::move(it->done));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& w : workers_) {
      if (w.retired || !w.job || w.job->deadline_ms == 0 || now < w.job->deadline_ms) continue;
      late.push_back(std::move(w.job->done));
      w.job.reset();
      w.killed_for_timeout = true;
      std::fprintf(stderr, "offload-server: job past the job timeout; killing worker %d\n", w.pid);
      kill(w.pid, SIGKILL);  // its EOF retires it and starts a replacement
    }
    timed_out_ += late.size();
    for (auto& done : late) done(timed_out_outcome(config_.job_timeout_ms));
  }

  void close_stdin(Worker& w) {
    if (w.stdin_closed) return;
    w.stdin_closed = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&w.to), on_pipe_closed);
  }

  // The worker takes no more jobs: close its pipes and reap its pid.
  void retire(Worker& w) {
    w.retired = true;
    close_stdin(w);
    uv_close(reinterpret_cast<uv_handle_t*>(&w.from), on_pipe_closed);
    reaping_.push_back({w.pid, uv_now(loop_), false});
    w.reaped = true;  // the reaper owns the pid from now on
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(reap_timer_)))
      uv_timer_start(reap_timer_, on_reap_timer, 0, kReapPollMs);
  }

  static void on_pipe_closed(uv_handle_t* handle) {
    auto* w = static_cast<Worker*>(handle->data);
    if (--w->open_handles == 0) {
      ProcessPool* pool = w->pool;
      pool->workers_.erase(w->self);
      pool->maybe_stopped();
    }
  }

  static void on_reap_timer(uv_timer_t* t) { static_cast<ProcessPool*>(t->data)->reap(); }

  void reap() {
    const std::uint64_t now = uv_now(loop_);
    for (auto it = reaping_.begin(); it != reaping_.end();) {
      int status = 0;
      const pid_t r = waitpid(it->pid, &status, WNOHANG);
      if (r == it->pid || (r < 0 && errno == ECHILD)) {
        if (r == it->pid && !(stopping_ && WIFEXITED(status) && WEXITSTATUS(status) == 0))
          std::fprintf(stderr, "offload-server: worker %d %s\n", it->pid,
                       describe_exit(status).c_str());
        it = reaping_.erase(it);
        continue;
      }
      if (!it->killed && now - it->since_ms >= kKillAfterMs) {
        kill(it->pid, SIGKILL);
        it->killed = true;
      }
      ++it;
    }
    if (reaping_.empty()) {
      uv_timer_stop(reap_timer_);
      maybe_stopped();
    }
  }

  void maybe_stopped() {
    if (!stopping_ || !workers_.empty() || !reaping_.empty() || !stopped_) return;
    uv_close(reinterpret_cast<uv_handle_t*>(reap_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    uv_close(reinterpret_cast<uv_handle_t*>(respawn_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    deadline_ticker_.stop();
    idle_ticker_.stop();
    auto stopped = std::move(stopped_);
    stopped_ = nullptr;
    stopped();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  std::list<Worker> workers_;
  std::deque<Pending> queue_;
  std::vector<Reaping> reaping_;
  uv_timer_t* reap_timer_;
  uv_timer_t* respawn_timer_;
  Ticker deadline_ticker_;  // answers jobs past their deadline
  Ticker idle_ticker_;      // retires workers idle past the idle timeout (elastic pool)
  std::uint64_t next_id_ = 0;
  std::uint64_t timed_out_ = 0;
  std::uint64_t recycled_ = 0;
  std::vector<std::uint64_t> slot_restarts_;
  std::uint64_t restarts_ = 0;
  unsigned young_deaths_ = 0;
  std::uint64_t backoff_ms_ = 0;
  bool stopping_ = false;
  std::function<void()> stopped_;
  char read_buffer_[64 * 1024];
};

}  // namespace

std::unique_ptr<Offloader> make_process_offloader(uv_loop_t* loop, const PoolConfig& config) {
  return std::make_unique<ProcessPool>(loop, config);
}

}  // namespace offload
