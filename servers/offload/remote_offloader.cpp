// remote: each job is a NATS request on offload.jobs.<workload> to the queue group
// offload-workers, framed as the process pool frames it (wire.hpp); any number of
// offload-worker processes on any number of hosts share the jobs, the broker balances them.
// Without --nats the server runs a private broker on loopback and --workers local workers.
//
// Core NATS delivers at most once: a worker that dies holding a job loses it silently. A
// per-attempt timeout would have to outlast the longest job, so a job on a dead worker would
// wait that long and a long job would be retried for nothing. Instead a worker says
// "accepted" as it takes a job and sends a heartbeat every 100 ms while it lives; a job is
// lost when its worker falls silent for five heartbeats (a local worker: at once, when its pid
// is reaped), or when no worker accepted it within 250 ms (the broker or the worker dropped
// it). A lost job is published again (--remote-retries), else answered 502. A second answer to
// a job (its first worker was only slow) is dropped.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <unordered_map>

#include "child_process.hpp"
#include "embedded_broker.hpp"
#include "local_workers.hpp"
#include "pool_lifecycle.hpp"
#include "remote_link.hpp"
#include "remote_options.hpp"
#include "remote_stats.hpp"
#include "remote_workers.hpp"
#include "strategy_registry.hpp"

namespace offload {

namespace {

using remote::Inbound;

constexpr std::uint64_t kTickMs = 20;  // liveness check and local worker reaping
// A job no worker has taken this long after its publication was dropped on the way: given to
// a worker in the instant it died (the broker had not yet seen its socket close), or refused by
// a full client buffer. A worker takes a job as its message arrives, whatever it is running
// (a thread of its own answers), so this is far above the time that takes even on a loaded
// machine, yet below the job timeouts the tests use.
constexpr std::uint64_t kAcceptTimeoutMs = 250;
// Restarting a private broker that exited: the first delay, doubled up to the last.
constexpr std::uint64_t kBrokerFirstBackoffMs = 100;
constexpr std::uint64_t kBrokerMaxBackoffMs = 2000;
constexpr std::uint64_t kLocalStartTimeoutMs = 20'000;  // gpg workers prepare a payload first

std::uint64_t now_ms() {
  return uv_hrtime() / 1'000'000;
}

class RemoteOffloader final : public Offloader {
 public:
  RemoteOffloader(const OffloadSetup& setup, RemoteOptions options)
      : loop_(setup.loop),
        config_(setup.pool),
        options_(std::move(options)),
        workload_(*setup.workload),
        link_(new remote::Link(setup.loop, setup.workload->name(),
                               [this](std::vector<Inbound>& batch) { deliver(batch); })),
        life_(setup.loop, setup.pool.job_timeout_ms, [this](std::uint64_t now) { expire(now); }) {}

  ~RemoteOffloader() override {
    if (link_abandoned_) link_.release();  // nats.c may still call into it: never freed
  }

  std::string start() {
    natsc::ConnectOptions connect;
    connect.name = "offload-server " + std::to_string(getpid());
    bool retry = false;
    if (options_.nats_url.empty()) {
      if (std::string err = broker_.start({options_.broker_program, "127.0.0.1", 0, ""});
          !err.empty())
        return "private broker: " + err;
      connect.url = broker_.url();
      connect.token = broker_.token();
    } else {
      connect.url = options_.nats_url;
      connect.token = options_.token;
      retry = true;  // a broker that is not up yet: 503 until it is, as while it is away
    }
    if (std::string err = link_->connect(connect, retry); !err.empty()) return err;
    stats_.connected = link_->connected();
    if (!stats_.connected)
      std::fprintf(stderr, "offload-server: broker %s not reachable yet; retrying\n",
                   natsc::redact(connect.url).c_str());
    if (options_.nats_url.empty()) {
      if (std::string err = start_local_workers(connect.url); !err.empty()) return err;
    }
    ticker_.start(loop_, kTickMs, [this] { tick(); });
    return {};
  }

  Admission submit(workloads::Job job, Done done) override {
    if (life_.stopping() || jobs_.size() >= capacity() + config_.max_queue) return Admission::full;
    const std::uint64_t id = ++next_id_;
    Pending& p = jobs_[id];
    p.job = std::move(job);
    p.done = std::move(done);
    p.deadline_ms = life_.deadline();
    p.accepted_ns = uv_hrtime();
    publish(id, p);
    return Admission::accepted;
  }

  PoolStats stats() const override {
    PoolStats s;
    s.metrics = metrics();
    std::size_t accepted = 0;
    for (const auto& [id, p] : jobs_) accepted += p.worker.empty() ? 0 : 1;
    s.running = std::min<std::size_t>(accepted, capacity());
    s.queued = jobs_.size() - s.running;
    s.workers = live_workers().size();
    s.restarts = locals_.restarts();
    s.timed_out = life_.timed_out();
    s.young_deaths = locals_.young_deaths();
    s.backoff_ms = locals_.backoff_ms();
    for (const auto& w : locals_.workers()) {
      if (w.pid <= 0) continue;
      const auto live = live_workers();
      const auto seen = live.find(w.id);
      const auto& replies = stats_.replies_by_worker;
      const auto own = replies.find(w.id);
      // The slot's processes, this one and those it replaced, by their ids' common prefix.
      std::uint64_t slot_jobs = 0;
      const std::string prefix = hosting::LocalWorkers::id_prefix(w.slot);
      for (auto r = replies.lower_bound(prefix);
           r != replies.end() && r->first.compare(0, prefix.size(), prefix) == 0; ++r)
        slot_jobs += r->second;
      s.per_worker.push_back({w.pid, w.slot, w.restarts,
                              seen != live.end() && seen->second.busy > 0,
                              own == replies.end() ? 0 : own->second, slot_jobs});
    }
    return s;
  }

  std::string metrics() const {
    std::string out;
    remote::render(out, stats_, jobs_.size(), live_workers());
    return out;
  }

  void stop(std::function<void()> stopped) override {
    life_.stop(std::move(stopped));
    maybe_teardown();
  }

  std::vector<std::string> abandon() override {
    life_.abandon();
    std::vector<std::string> left;
    for (const auto& [id, p] : jobs_)
      left.push_back(p.job->describe() + " on remote worker " +
                     (p.worker.empty() ? std::string("(not yet accepted)") : p.worker));
    jobs_.clear();
    ticker_.stop();
    locals_.kill_all_now();
    broker_.kill_now();
    link_->abandon();
    link_abandoned_ = true;
    return left;
  }

 private:
  struct Pending {
    workloads::Job job;
    Done done;
    std::uint64_t deadline_ms = 0;  // loop clock; 0: none
    std::uint64_t accepted_ns = 0;
    std::uint64_t published_ns = 0;  // this attempt's
    std::uint64_t published_ms = 0;
    unsigned attempts = 0;
    std::string worker;  // who accepted this attempt; "" before
  };

  std::string start_local_workers(const std::string& url) {
    std::string program = options_.worker_program;
    if (program.empty()) {
      char path[4096];
      std::size_t len = sizeof path;
      if (uv_exepath(path, &len) != 0) return "cannot find this program's path";
      program = std::string(path, len);
      program = program.substr(0, program.rfind('/') + 1) + "offload-worker";
    }
    hosting::LocalWorkers::Options o;
    o.program = program;
    o.nats_url = url;
    o.token = broker_.token();
    o.workload = workload_.name();
    o.workload_args = workload_.worker_args();
    o.knobs = config_.worker_knobs;
    o.count = config_.workers;
    o.heartbeat_s = options_.worker_heartbeat_s;
    if (std::string err = locals_.start(o, now_ms()); !err.empty()) return err;
    // The server is ready when its workers are: every local worker has said it is subscribed.
    const std::uint64_t deadline = now_ms() + kLocalStartTimeoutMs;
    while (live_workers().size() < config_.workers) {
      if (now_ms() > deadline) return "local workers did not start within 20 s";
      for (const auto& death : locals_.poll(now_ms()))
        return "local worker " + death.id + " " + hosting::describe_exit(death.status) +
               " at start (see its message above)";
      take_liveness();
      uv_sleep(2);
    }
    return {};
  }

  std::size_t capacity() const {
    std::size_t n = 0;
    for (const auto& [id, w] : live_workers()) n += w.concurrency;
    return n;
  }

  std::map<std::string, remote::WorkerView> live_workers() const { return workers_.live(now_ms()); }

  // Publishes the job's next attempt. Refusals are answered on the next turn (submit() must
  // return before its job is answered).
  void publish(std::uint64_t id, Pending& p) {
    ++p.attempts;
    p.worker.clear();
    p.published_ns = uv_hrtime();
    p.published_ms = now_ms();
    std::string why = "the broker is not reachable; try again later";
    if (link_->connected()) {
      const natsStatus s =
          link_->publish(id, wire::encode(wire::JobMessage{id, workload_.name(), p.job->encode()}));
      if (s == NATS_OK) return;
      why = "cannot publish the job (" + natsc::describe(s) + "); try again later";
    }
    Inbound refused;
    refused.kind = Inbound::Kind::refused;
    refused.attempt = id;
    refused.reason = why;
    link_->post(std::move(refused));
  }

  void deliver(std::vector<Inbound>& batch) {
    take_liveness();
    for (auto& in : batch) {
      switch (in.kind) {
        case Inbound::Kind::connection:
          connection(in.event);
          break;
        case Inbound::Kind::torn_down:
          torn_down_ = true;
          break;
        default:
          reply(in);
      }
    }
    maybe_teardown();
  }

  void reply(Inbound& in) {
    // Attempt ids are job ids re-keyed on each retry: an old attempt's id is no longer here.
    auto it = jobs_.find(in.attempt);
    if (it == jobs_.end()) {
      if (in.kind == Inbound::Kind::result) ++stats_.late_replies;
      return;
    }
    Pending& p = it->second;
    switch (in.kind) {
      case Inbound::Kind::result: {
        const std::uint64_t round_trip = in.received_ns - p.published_ns;
        const std::uint64_t inside = in.result.wait_ns + in.result.service_ns;
        stats_.round_trip.observe(static_cast<double>(round_trip) / 1e9);
        stats_.transit.observe(static_cast<double>(round_trip > inside ? round_trip - inside : 0) /
                               1e9);
        ++stats_.replies_by_worker[in.worker];
        answer(it, {JobStatus::done, std::move(in.result.result), timing_of(p, in)});
        return;
      }
      case Inbound::Kind::no_responders:
        ++stats_.no_responders;
        if (p.attempts > 1)
          answer(it, lost(p, "its worker died and no other worker is listening on " +
                                 link_->job_subject()));
        else
          answer(it, refusal("no worker is listening on " + link_->job_subject()));
        return;
      case Inbound::Kind::refused:
        ++stats_.broker_refusals;
        answer(it, refusal(in.reason));
        return;
      default:
        answer(it, lost(p, "worker " + in.worker + " sent a reply that is no result"));
    }
  }

  static JobOutcome refusal(std::string why) {
    return {JobStatus::cancelled, {false, std::move(why), 0, 0}, {}};
  }

  JobOutcome lost(const Pending& p, const std::string& why) const {
    return {JobStatus::lost,
            {false,
             "job " + p.job->describe() + " lost after " + std::to_string(p.attempts) +
                 " attempt(s): " + why,
             0, 0},
            {}};
  }

  void answer(std::unordered_map<std::uint64_t, Pending>::iterator it, JobOutcome outcome) {
    Done done = std::move(it->second.done);
    jobs_.erase(it);
    done(std::move(outcome));
  }

  // As the process pool splits a round trip (process_offloader.cpp): the worker's own wait and
  // service are measured on its clock; the rest, broker and network both ways, is charged half
  // before and half after.
  static JobTiming timing_of(const Pending& p, const Inbound& in) {
    const std::uint64_t round_trip = in.received_ns - p.published_ns;
    const std::uint64_t inside = in.result.wait_ns + in.result.service_ns;
    const std::uint64_t transit = round_trip > inside ? round_trip - inside : 0;
    JobTiming t;
    t.accepted_ns = p.accepted_ns;
    t.started_ns = p.published_ns + transit / 2 + (inside <= round_trip ? in.result.wait_ns : 0);
    t.finished_ns = inside <= round_trip ? t.started_ns + in.result.service_ns : in.received_ns;
    return t;
  }

  void connection(natsc::Event e) {
    if (closing_) {  // our own close; no job is left
      stats_.connected = false;
      stats_.closed = e == natsc::Event::closed;
      return;
    }
    if (e == natsc::Event::disconnected) {
      stats_.connected = false;
      ++stats_.disconnects;
      std::fprintf(stderr, "offload-server: lost the broker; reconnecting (jobs get 503)\n");
      // Replies to what is in flight may never come (the worker's reply would reach a broker
      // that no longer holds our subscription): answer them now rather than at their timeout.
      std::vector<std::uint64_t> ids;
      for (const auto& [id, p] : jobs_) ids.push_back(id);
      for (auto id : ids) {
        ++stats_.broker_refusals;
        answer(jobs_.find(id), refusal("lost the broker connection; try again later"));
      }
    } else if (e == natsc::Event::reconnected || e == natsc::Event::connected) {
      stats_.connected = true;
      if (e == natsc::Event::reconnected) ++stats_.reconnects;
      std::fprintf(stderr, "offload-server: %s the broker\n",
                   e == natsc::Event::reconnected ? "reconnected to" : "connected to");
    } else if (e == natsc::Event::closed) {
      stats_.connected = false;
      stats_.closed = true;
    }
  }

  void take_liveness() {
    std::vector<remote::Accepted> accepted;
    std::vector<remote::Beat> beats;
    link_->take(accepted, beats);
    for (auto& b : beats) workers_.heard(b.heartbeat, b.at_ms);
    for (auto& a : accepted) {
      auto it = jobs_.find(a.attempt);
      if (it != jobs_.end()) it->second.worker = a.worker;
      workers_.accepted(a.worker, a.interval_ms, now_ms());
    }
  }

  void tick() {
    take_liveness();
    const std::uint64_t now = now_ms();
    if (options_.nats_url.empty()) watch_broker(now);
    for (const auto& death : locals_.poll(now)) workers_.died(death.id);
    workers_.forget_old(now);
    std::vector<std::pair<std::uint64_t, std::string>> gone;
    for (const auto& [id, p] : jobs_) {
      if (!p.worker.empty()) {
        if (const std::string why = workers_.gone(p.worker, now); !why.empty())
          gone.push_back({id, "worker " + p.worker + " " + why + " holding it"});
      } else if (stats_.connected && now - p.published_ms > kAcceptTimeoutMs) {
        gone.push_back(
            {id, "no worker accepted it within " + std::to_string(kAcceptTimeoutMs) + " ms"});
      }
    }
    for (auto& [id, why] : gone) retry_or_fail(id, why);
    maybe_teardown();
  }

  void retry_or_fail(std::uint64_t id, const std::string& why) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    ++stats_.lost_attempts;
    if (it->second.attempts > options_.retries || life_.stopping()) {
      answer(it, lost(it->second, why));
      return;
    }
    ++stats_.retries;
    std::fprintf(stderr, "offload-server: retrying %s: %s\n", it->second.job->describe().c_str(),
                 why.c_str());
    // Re-keyed: a late reply to the lost attempt must not answer the new one.
    Pending p = std::move(it->second);
    jobs_.erase(it);
    const std::uint64_t attempt = ++next_id_;
    publish(attempt, jobs_[attempt] = std::move(p));
  }

  // Jobs past their deadline are answered now. A local worker running one is killed (the only
  // way to stop a computation) and replaced, as the process pool does; a worker elsewhere
  // finishes it for nothing, and its reply is dropped as late.
  void expire(std::uint64_t now) {
    std::vector<Done> late;
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (PoolLifecycle::past(it->second.deadline_ms, now)) {
        // Reaped and replaced by the tick; other jobs it held are lost with it, and retried.
        if (locals_.kill_worker(it->second.worker))
          std::fprintf(stderr, "offload-server: job past the job timeout; killed local worker %s\n",
                       it->second.worker.c_str());
        late.push_back(std::move(it->second.done));
        it = jobs_.erase(it);  // its reply, if it comes, is a late one and dropped
      } else {
        ++it;
      }
    }
    for (auto& done : late) life_.time_out(done);
  }

  // The private broker exited by itself (crashed, killed): it is started again on the same
  // port with the same token after a back-off (100 ms, doubled while it keeps failing, up to
  // 2 s), and the link and the local workers, which keep retrying the URL they know,
  // reconnect. Jobs are answered 503 while it is away, as with any broker.
  void watch_broker(std::uint64_t now) {
    if (life_.stopping()) return;
    // Back and connected: a later crash starts the back-off afresh.
    if (stats_.connected && broker_.running() && broker_due_ms_ == 0) broker_backoff_ms_ = 0;
    int status = 0;
    if (broker_.reap_if_exited(status)) {
      broker_backoff_ms_ = std::min<std::uint64_t>(
          broker_backoff_ms_ == 0 ? kBrokerFirstBackoffMs : 2 * broker_backoff_ms_,
          kBrokerMaxBackoffMs);
      broker_due_ms_ = now + broker_backoff_ms_;
      std::fprintf(stderr,
                   "offload-server: the private nats-server %s; starting it again in %llu ms\n",
                   hosting::describe_exit(status).c_str(),
                   static_cast<unsigned long long>(broker_backoff_ms_));
    }
    if (broker_.running() || broker_due_ms_ == 0 || now < broker_due_ms_) return;
    broker_due_ms_ = 0;
    ++stats_.broker_restarts;
    if (std::string err = broker_.restart(); !err.empty()) {
      std::fprintf(stderr, "offload-server: the private nats-server did not start: %s\n",
                   err.c_str());
      broker_due_ms_ = now + kBrokerMaxBackoffMs;
    }
  }

  // Shutdown, once no job is left: the broker connection closes (off the loop), then the
  // local workers stop (they hold nothing: they drain at once), then the private broker.
  void maybe_teardown() {
    if (!life_.stopping() || life_.abandoned() || !jobs_.empty()) return;
    if (!closing_) {
      closing_ = true;
      link_->close_async();
      locals_.terminate_all(now_ms());
    }
    if (!torn_down_ || !locals_.all_reaped()) return;
    broker_.stop();  // SIGTERM: a private nats-server exits within ms; its directory goes too
    if (!life_.ready_to_finish(true)) return;
    ticker_.stop();
    link_->finish();
    life_.finish();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  RemoteOptions options_;
  workloads::Workload& workload_;
  hosting::EmbeddedBroker broker_;  // before the link: it outlives the connection
  hosting::LocalWorkers locals_;
  std::unique_ptr<remote::Link> link_;
  bool link_abandoned_ = false;
  std::unordered_map<std::uint64_t, Pending> jobs_;  // by the current attempt's id
  remote::WorkerTable workers_;                      // the workers heard from
  remote::RemoteStats stats_;
  std::uint64_t next_id_ = 0;
  bool closing_ = false;
  bool torn_down_ = false;
  std::uint64_t broker_backoff_ms_ = 0;  // before the private broker's next start; 0: none due
  std::uint64_t broker_due_ms_ = 0;      // when it is started again; 0: not waiting
  Ticker ticker_{true};                  // keeps the loop alive while workers remain to be reaped
  PoolLifecycle life_;
};

}  // namespace

std::unique_ptr<Offloader> make_remote_offloader(const OffloadSetup& setup,
                                                 const RemoteOptions& options, std::string& error) {
  auto offloader = std::make_unique<RemoteOffloader>(setup, options);
  error = offloader->start();
  if (!error.empty()) return nullptr;
  return offloader;
}

namespace {

// The entry's factory: the strategy's own flags from the setup's settings. A failure to start
// is printed here (the registry's factories return an offloader or nothing).
std::unique_ptr<Offloader> make_from_settings(const OffloadSetup& setup) {
  RemoteOptions options;
  const auto get = [&setup](const char* name) {
    const auto it = setup.settings.find(name);
    return it == setup.settings.end() ? std::string() : it->second;
  };
  options.nats_url = get("nats");
  options.token = get("nats-token");
  if (const std::string retries = get("remote-retries"); !retries.empty())
    options.retries = static_cast<unsigned>(std::stoul(retries));
  std::string error;
  auto offloader = make_remote_offloader(setup, options, error);
  if (!offloader) std::fprintf(stderr, "offload-server: remote: %s\n", error.c_str());
  return offloader;
}

}  // namespace

// Its entry in the registry (strategy_registry.cpp).
Strategy remote_strategy() {
  return {"remote",
          "through a NATS broker to offload-worker processes on any host (without --nats: a "
          "private broker and --workers local workers)",
          pool_knobs({"nats", "nats-token", "remote-retries"}), false, make_from_settings};
}

}  // namespace offload
