// offload-worker: takes jobs from the broker and runs them (remote_protocol.hpp says what
// travels). The subscription's delivery thread only decodes, answers "accepted" (the job is
// this worker's from then on: the server retries it elsewhere if this worker falls silent)
// and queues the job; `concurrency` job threads run it with the same workload code the
// process pool's workers use. A heartbeat thread says the worker is alive, so a long job is
// not mistaken for a lost one.
//
// Signals: SIGTERM and SIGINT are blocked in every thread (nats.c's included, created after)
// and taken by the main thread with sigtimedwait: no handler, nothing async-signal-unsafe.
#include "remote_worker.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "nats_client.hpp"
#include "remote_protocol.hpp"
#include "wire.hpp"
#include "workload_registry.hpp"

namespace offload::worker {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

struct Held {
  std::string reply;
  std::uint64_t id = 0;
  workloads::Job job;
  std::uint64_t received_ns = 0;
};

class RemoteWorker {
 public:
  explicit RemoteWorker(const WorkerConfig& config)
      : config_(config),
        interval_ms_(static_cast<std::uint64_t>(config.heartbeat_s * 1000 + 0.5)) {}

  int run() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread exists

    workload_ = workloads::make_workload(config_.workload);
    if (std::string err = workload_->start_worker(config_.workload_args,
                                                  [this](const std::string& line) { log(line); });
        !err.empty()) {
      log(err);
      return 1;
    }
    if (std::string err =
            conn_.connect({config_.nats_url, config_.token, "offload-worker " + config_.id, 50,
                           2000, false, [this](natsc::Event e) { connection_event(e); }});
        !err.empty()) {
      log(err);
      return 1;
    }
    start_job_threads();
    const std::string subject = remote::job_subject(config_.workload);
    natsStatus s = natsConnection_QueueSubscribe(&sub_, conn_.get(), subject.c_str(),
                                                 remote::kQueueGroup, on_job, this);
    if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub_, on_delivery_done, this);
    // The jobs wait in this worker's queue, not in nats.c's: no message limit (the default
    // 65536 would drop jobs silently past it).
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub_, -1, -1);
    if (s == NATS_OK) {
      heartbeat();  // after the subscription on the same connection: the broker sees it first
      s = natsConnection_FlushTimeout(conn_.get(), 5000);
    }
    if (s != NATS_OK) {
      log("cannot subscribe to " + subject + ": " + natsc::describe(s));
      shutdown_threads();
      return 1;
    }
    heartbeat_thread_ = std::thread([this] { heartbeat_loop(); });
    std::printf(
        "offload-worker %s ready: workload=%s concurrency=%u subject=%s queue=%s broker=%s\n",
        config_.id.c_str(), config_.workload.c_str(), config_.concurrency, subject.c_str(),
        remote::kQueueGroup, natsc::redact(config_.nats_url).c_str());
    std::fflush(stdout);

    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    return drain(signals);
  }

 private:
  void log(const std::string& line) const {
    std::fprintf(stderr, "offload-worker %s: %s\n", config_.id.c_str(), line.c_str());
  }

  void connection_event(natsc::Event e) {
    if (closing_) return;  // our own close
    if (e == natsc::Event::disconnected) log("lost the broker; reconnecting");
    if (e == natsc::Event::reconnected) log("reconnected to the broker");
  }

  void start_job_threads() {
    for (unsigned i = 0; i < config_.concurrency; ++i)
      job_threads_.emplace_back([this, slot = config_.first_slot + i] { job_loop(slot); });
    // Each thread makes its worker (a GPGME context, say) first: ready means ready to run.
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return made_ == config_.concurrency; });
  }

  static void on_job(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
    static_cast<RemoteWorker*>(self)->received(msg);
    natsMsg_Destroy(msg);
  }

  static void on_delivery_done(void* self) {
    auto* w = static_cast<RemoteWorker*>(self);
    std::lock_guard<std::mutex> lock(w->mutex_);
    w->delivery_done_ = true;
    w->cv_.notify_all();
  }

  void received(natsMsg* msg) {
    const std::uint64_t received_ns = now_ns();
    const char* reply = natsMsg_GetReply(msg);
    if (reply == nullptr || *reply == '\0') return;  // a job nobody waits for
    const std::string_view body(natsMsg_GetData(msg),
                                static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    std::string_view payload;
    wire::JobMessage message;
    workloads::Job job;
    if (!remote::frame_payload(body, payload) || !wire::decode(payload, message) ||
        !(job = wire::job_of(message, *workload_))) {
      // A sender on another version, or another workload's job: say so rather than let the
      // server wait for its timeout.
      wire::ResultMessage bad;
      bad.id = message.id;
      bad.result.text =
          "offload-worker " + config_.id + ": not a well-formed " + config_.workload + " job";
      natsc::publish(conn_.get(), reply, "", wire::encode(bad),
                     {{remote::kWorkerHeader, config_.id}});
      return;
    }
    natsc::publish(conn_.get(), reply, "", "",
                   {{remote::kWorkerHeader, config_.id},
                    {remote::kHeartbeatMsHeader, std::to_string(interval_ms_)}});
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back({reply, message.id, std::move(job), received_ns});
      ++held_;
    }
    cv_.notify_one();
  }

  void job_loop(std::size_t slot) {
    // Named so that ps, top and the tests tell the job threads from nats.c's.
    pthread_setname_np(pthread_self(), ("job-" + std::to_string(slot)).substr(0, 15).c_str());
    if (std::string err = apply_to_this_thread(config_.knobs); !err.empty()) log(err);
    const std::unique_ptr<workloads::Worker> worker = workload_->make_worker(slot);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++made_;
    }
    cv_.notify_all();
    for (;;) {
      Held held;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        held = std::move(queue_.front());
        queue_.pop_front();
      }
      wire::ResultMessage result;
      result.id = held.id;
      const std::uint64_t started_ns = now_ns();
      result.result = workloads::run(*worker, *held.job);
      result.service_ns = now_ns() - started_ns;
      result.wait_ns = started_ns - held.received_ns;
      natsc::publish(conn_.get(), held.reply, "", wire::encode(result),
                     {{remote::kWorkerHeader, config_.id}});
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --held_;
      }
      cv_.notify_all();
    }
  }

  void heartbeat() {
    remote::Heartbeat beat;
    beat.worker = config_.id;
    beat.interval_ms = interval_ms_;
    beat.concurrency = config_.concurrency;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      beat.busy = static_cast<unsigned>(held_);
    }
    beat.leaving = leaving_.load();
    // Not while reconnecting: nats.c would buffer stale beats and send them in a burst.
    if (conn_.connected())
      natsc::publish(conn_.get(), remote::heartbeat_subject(config_.workload), "", "",
                     remote::heartbeat_headers(beat));
  }

  void heartbeat_loop() {
    std::unique_lock<std::mutex> lock(beat_mutex_);
    while (!beats_stop_) {
      beat_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_));
      if (beats_stop_) break;
      lock.unlock();
      heartbeat();
      lock.lock();
    }
  }

  // No new job (the queue subscription drains: the broker stops sending, nats.c delivers what
  // it already holds), the held ones run to the end and their results are flushed.
  int drain(const sigset_t& signals) {
    leaving_ = true;
    log("draining: no new job, finishing the ones held");
    heartbeat();
    natsSubscription_Drain(sub_);
    const auto deadline =
        Clock::now() + std::chrono::milliseconds(static_cast<long>(config_.drain_timeout_s * 1000));
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (delivery_done_ && held_ == 0) break;
      }
      const timespec tick{0, 20'000'000};
      if (sigtimedwait(&signals, nullptr, &tick) > 0) return abandon("a second signal");
      if (Clock::now() >= deadline) return abandon("the drain timeout");
    }
    natsConnection_FlushTimeout(conn_.get(), 2000);  // the last results reach the broker
    shutdown_threads();
    natsSubscription_Destroy(sub_);
    sub_ = nullptr;
    closing_ = true;
    conn_.close();
    log("drained; exiting");
    return 0;
  }

  // Threads may be in the middle of a job that cannot be interrupted: leave without joining.
  int abandon(const char* why) {
    std::size_t held = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      held = held_;
    }
    log(std::string("exiting at once on ") + why + "; " + std::to_string(held) +
        " job(s) abandoned (their servers retry or fail them)");
    std::fflush(nullptr);
    std::_Exit(1);
  }

  void shutdown_threads() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : job_threads_) t.join();
    job_threads_.clear();
    {
      std::lock_guard<std::mutex> lock(beat_mutex_);
      beats_stop_ = true;
    }
    beat_cv_.notify_all();
    if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  }

  const WorkerConfig& config_;
  const std::uint64_t interval_ms_;
  std::unique_ptr<workloads::Workload> workload_;
  natsc::Connection conn_;
  natsSubscription* sub_ = nullptr;
  std::vector<std::thread> job_threads_;
  std::thread heartbeat_thread_;
  std::atomic<bool> leaving_{false};
  std::atomic<bool> closing_{false};

  std::mutex mutex_;  // the queue and the counts below
  std::condition_variable cv_;
  std::deque<Held> queue_;
  std::size_t held_ = 0;  // accepted and not yet answered: queued or running
  unsigned made_ = 0;     // job threads with their worker made
  bool stopping_ = false;
  bool delivery_done_ = false;

  std::mutex beat_mutex_;
  std::condition_variable beat_cv_;
  bool beats_stop_ = false;
};

}  // namespace

int run_remote_worker(const WorkerConfig& config) {
  RemoteWorker worker(config);
  return worker.run();
}

}  // namespace offload::worker
