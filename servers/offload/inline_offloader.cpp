// inline: the job runs on the loop thread, inside submit. Every other request on the loop
// waits for it: that is the point of measuring it.
//
// Its queue wait is the time the loop spent on other work in the turn that read the request,
// before the job started: jobs and answers ahead of it in the same batch of ready sockets, or
// a pipelined job ahead of it on its connection. The turn's start is when the loop stopped
// waiting for events: the prepare phase's clock reading plus the time the loop then spent idle
// in the kernel (libuv's idle-time metric). A request that arrived while the loop was busy in
// an earlier turn waited in the kernel's socket buffer too; the server cannot see that part,
// so this figure is a lower bound of the wait a client sees.
#include "strategy_registry.hpp"

namespace offload {

namespace {

class InlineOffloader final : public Offloader {
 public:
  explicit InlineOffloader(const OffloadSetup& setup)
      : loop_(setup.loop), worker_(setup.workload->make_worker(0)), prepare_(new uv_prepare_t) {
    uv_loop_configure(loop_, UV_METRICS_IDLE_TIME);  // idempotent; the service sets it too
    uv_prepare_init(loop_, prepare_);
    prepare_->data = this;
    uv_prepare_start(prepare_,
                     [](uv_prepare_t* p) { static_cast<InlineOffloader*>(p->data)->on_prepare(); });
    uv_unref(reinterpret_cast<uv_handle_t*>(prepare_));
  }
  ~InlineOffloader() override { close_prepare(); }

  Admission submit(workloads::Job job, Done done) override {
    JobOutcome outcome;
    outcome.timing.accepted_ns = turn_started_ns();
    running_ = 1;
    outcome.timing.started_ns = uv_hrtime();
    outcome.result = workloads::run(*worker_, *job);
    outcome.timing.finished_ns = uv_hrtime();
    running_ = 0;
    done(std::move(outcome));
    return Admission::accepted;
  }
  PoolStats stats() const override {
    PoolStats s;
    s.running = running_;
    s.workers = 1;
    return s;
  }
  void stop(std::function<void()> stopped) override {
    close_prepare();
    stopped();
  }
  // The loop is the worker: nothing can be running while the loop asks.
  std::vector<std::string> abandon() override {
    close_prepare();
    return {};
  }

 private:
  void on_prepare() {
    prepare_ns_ = uv_hrtime();
    idle_at_prepare_ns_ = uv_metrics_idle_time(loop_);
  }

  std::uint64_t turn_started_ns() const {
    const std::uint64_t now = uv_hrtime();
    if (prepare_ns_ == 0) return now;
    const std::uint64_t woke = prepare_ns_ + (uv_metrics_idle_time(loop_) - idle_at_prepare_ns_);
    return woke < now ? woke : now;
  }

  void close_prepare() {
    if (prepare_ == nullptr) return;
    uv_close(reinterpret_cast<uv_handle_t*>(prepare_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_prepare_t*>(h); });
    prepare_ = nullptr;
  }

  uv_loop_t* loop_;
  std::unique_ptr<workloads::Worker> worker_;  // the loop is the one worker, slot 0
  uv_prepare_t* prepare_;                      // freed in its close callback
  std::uint64_t prepare_ns_ = 0;
  std::uint64_t idle_at_prepare_ns_ = 0;
  std::size_t running_ = 0;
};

}  // namespace

// Its entry in the registry (strategy_registry.cpp): name, description, knobs, whether the
// workload runs in this process, factory.
Strategy inline_strategy() {
  return {"inline",
          "on the event loop itself: every cheap request waits behind every job",
          {},
          true,
          make_from_setup<InlineOffloader>};
}

}  // namespace offload
