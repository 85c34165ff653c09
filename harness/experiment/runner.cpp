// State lives in a few flags rather than an explicit state enum: the sequence is linear
// (run -> steps -> stop -> next run) and the only detours are interrupted_ (Ctrl-C: stop the
// server, keep the rows) and failing_ (the server died or the load could not reach it).
#include "experiment/runner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "experiment/cpu_pinning.hpp"
#include "experiment/knobs.hpp"
#include "experiment/machine.hpp"
#include "experiment/meta.hpp"
#include "experiment/server_knobs.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

namespace {

constexpr double kReadyTimeoutS = 20;
constexpr double kStopGraceS = 15;               // the server's own drain timeout is 10 s
constexpr std::uint64_t kConfirmDeathMs = 1000;  // time for a dying server to be reaped
constexpr unsigned kProbeInitialConns = 2;
constexpr std::uint64_t kCalibrateMinCalls = 3;
constexpr double kCalibrateMaxS = 60;
// The first /metrics answer (the knobs in force) comes within milliseconds from an idle
// server; past this the phases start anyway and the refusals come with a later scrape.
constexpr std::uint64_t kKnobsWaitMs = 5000;
// A phase's closing /metrics comes from a server that has just drained; an inline server
// still running a leftover job answers after it. Past this the rows go without the breakdown.
constexpr std::uint64_t kBoundaryWaitMs = 3000;
// Open-loop heavy streams start with a few connections and open more as answers lag.
constexpr unsigned kHeavyInitialConns = 4;

}  // namespace

Experiment::Experiment(uv_loop_t* loop, Plan plan, std::string server_program,
                       ResultsFolder& folder, std::vector<std::string> command)
    : loop_(loop),
      plan_(std::move(plan)),
      program_(std::move(server_program)),
      folder_(folder),
      command_(std::move(command)),
      progress_(!plan_.options.quiet),
      next_timer_(loop,
                  [this] {
                    auto tasks = std::move(next_);
                    next_.clear();
                    for (auto& task : tasks) task();
                  }),
      confirm_timer_(loop,
                     [this] {
                       if (!phase_failure_.empty() && !finished_ && !failing_ && !interrupted_)
                         fail(phase_failure_);
                     }),
      knobs_timer_(loop,
                   [this] {
                     if (!waiting_for_knobs_) return;
                     waiting_for_knobs_ = false;
                     progress_.note("offload-bench: the server for " + config().label +
                                    " did not answer /metrics in time: its knobs are not "
                                    "checked yet");
                     start_step();
                   }),
      boundary_timer_(loop, [this] { phase_boundary(nullptr); }) {
  job_cost_ms_.assign(plan_.configs.size(), kNaN);
  cpus_ = std::max(1u, std::thread::hardware_concurrency());
  capacities_.resize(plan_.configs.size());
  unloaded_p99_.resize(plan_.configs.size());
}

Experiment::~Experiment() = default;

void Experiment::defer(std::function<void()> next) {
  if (finished_) return;
  next_.push_back(std::move(next));
  next_timer_.start(0);
}

void Experiment::start() {
  started_iso_ = utc_now_iso();
  started_ns_ = uv_hrtime();
  machine_json_ = machine_json();
  versions_json_ = versions_json();
  git_rev_ = git_revision();
  cpu_at_start_ = read_cpu_times();
  sentinel_ = std::make_unique<StallSentinel>();
  write_meta("running");
  progress_.note("offload-bench: " + std::to_string(plan_.runs.size()) + " runs of " +
                 std::to_string(plan_.configs.size()) + " configurations, about " +
                 format_eta(plan_.seconds_from(0)) + "; results in " + folder_.path());
  defer([this] { start_run(); });
}

// ---- runs -------------------------------------------------------------------------------

void Experiment::start_run() {
  if (interrupted_ || failing_ || finished_) return;
  const ServerConfig& c = config();
  std::vector<std::size_t> level_order;
  if (run().levels) {
    // Levels whose rate is unknown (their basis capacity was not measured) are left out.
    const double basis = basis_for(run().config);
    for (std::size_t i : ascending_levels(plan_.options.levels, basis)) {
      if (offered_rps(plan_.options.levels[i], basis)) {
        level_order.push_back(i);
      } else {
        progress_.note("offload-bench: " + c.label + ": no capacity measured for " +
                       plan_.options.levels[i].label + " to refer to; level left out");
      }
    }
  }
  steps_ = plan_.steps(run(), level_order);
  if (run().levels && level_order.empty()) steps_.clear();
  step_index_ = 0;
  boundary_known_ = false;
  if (steps_.empty()) {  // nothing to measure: on to the next run
    if (++run_index_ < plan_.runs.size()) {
      defer([this] { start_run(); });
    } else {
      finish("complete", 0, "");
    }
    return;
  }
  cost_known_ = !run().calibrate;
  knobs_refused_.clear();
  RunRow row;
  row.config = c.label;
  row.repeat = run().repeat;
  row.job_cost_ms = job_cost_ms_[run().config];
  table_.push_back(row);

  std::vector<std::string> args = {"--strategy", c.strategy, "--host", "127.0.0.1", "--port", "0"};
  if (c.workload == "gpg") {
    args.insert(args.end(), {"--workload", "gpg", "--payload-bytes", std::to_string(c.payload)});
  } else {
    args.insert(args.end(), {"--workload", "fib", "--fib", std::to_string(c.fib), "--max-n",
                             std::to_string(std::max(45u, c.fib))});
  }
  if (c.pool) {
    args.push_back("--workers");
    args.push_back(std::to_string(c.workers));
  }
  args.insert(args.end(), c.knob_args.begin(), c.knob_args.end());
  // An external broker for the strategies that take one (the server's list says which).
  if (const Strategy* s = plan_.strategies.find(c.strategy);
      !plan_.options.remote_nats.empty() && s != nullptr && s->has_knob("nats"))
    args.insert(args.end(), {"--nats", plan_.options.remote_nats});
  args.insert(args.end(), plan_.options.server_args.begin(), plan_.options.server_args.end());
  const std::string log =
      folder_.path() + "/logs/" + c.label + "-r" + std::to_string(run().repeat) + ".log";
  RunRecord record;
  record.config = run().config;
  record.repeat = run().repeat;
  record.log = log;
  run_meta_.push_back(record);

  ManagedServer::Events events;
  events.ready = [this](int port) { defer([this, port] { server_ready(port); }); };
  events.died = [this](const std::string& why) { defer([this, why] { server_died(why); }); };
  events.stopped = [this](bool clean, const std::string& how) {
    defer([this, clean, how] { server_stopped(clean, how); });
  };
  server_ = std::make_unique<ManagedServer>(loop_, events);
  progress_.note("offload-bench: [" + std::to_string(run_index_ + 1) + "/" +
                 std::to_string(plan_.runs.size()) + "] " + c.label + " repeat " +
                 std::to_string(run().repeat));
  // Without the server's environment fallbacks, the arguments alone configure it.
  std::string err;
  {
    // The server inherits the CPUs of the thread that starts it (--server-cpus).
    ScopedAffinity pinned(plan_.options.server_cpus);
    err = server_->start(program_, args, log, kReadyTimeoutS, server_env_removed());
  }
  if (!err.empty()) {
    failing_ = true;
    finish("failed", 1, "cannot start the server for " + c.label + ": " + err);
  }
}

void Experiment::server_ready(int port) {
  if (interrupted_ || failing_ || finished_) return;
  target_ = Target{};
  target_.port = port;
  resolve(target_);
  run_meta_.back().pid = server_->pid();
  sampler_ = std::make_unique<ProcSampler>(server_->pid());
  scraper_ = std::make_unique<MetricsScraper>(
      loop_, target_, [this](const std::string& phase, std::uint64_t at, const LoopWindow& w) {
        metrics_row(phase, at, w);
      });
  scraper_->on_scrape = [this](const Scrape& s) { scrape_seen(s); };
  // The rows carry what the server refused of its knobs: its first /metrics answer comes
  // before the first phase.
  waiting_for_knobs_ = true;
  knobs_timer_.start(kKnobsWaitMs);
  scraper_->scrape("baseline");
}

void Experiment::scrape_seen(const Scrape& scrape) {
  if (finished_ || !server_) return;
  if (!boundary_known_) {  // the baseline: the first phase's start
    boundary_ = scrape;
    boundary_known_ = true;
  }
  const std::string refused = refused_text(server_knobs(scrape), config());
  if (refused != knobs_refused_ && !refused.empty())
    progress_.note("offload-bench: the server for " + config().label + ": " + refused);
  knobs_refused_ = refused;
  run_meta_.back().knobs_refused = refused;
  if (waiting_for_knobs_) {
    waiting_for_knobs_ = false;
    knobs_timer_.stop();
    defer([this] { start_step(); });
  }
}

void Experiment::stop_server() {
  end_phase_now();
  waiting_for_knobs_ = false;
  knobs_timer_.stop();
  scraper_.reset();  // our last connection: the server's drain has nothing left to wait for
  if (server_ && server_->running()) {
    server_->stop(kStopGraceS);
  } else if (!finished_) {
    finish(interrupted_ ? "interrupted" : "failed", interrupted_ ? 130 : 1, failure_);
  }
}

void Experiment::server_stopped(bool clean, const std::string& how) {
  if (finished_) return;
  table_.back().server_exit = clean ? "clean" : how;
  run_meta_.back().exit = clean ? "clean" : how;
  if (!clean && !interrupted_) {
    any_unclean_exit_ = true;
    progress_.note("offload-bench: warning: the server for " + config().label +
                   " did not exit cleanly: " + how);
  }
  server_.reset();
  sampler_.reset();
  if (interrupted_) {
    finish("interrupted", 130, "");
    return;
  }
  if (failing_) {
    finish("failed", 1, failure_);
    return;
  }
  write_meta("running");
  if (++run_index_ < plan_.runs.size()) {
    start_run();
  } else {
    finish(any_unclean_exit_ ? "failed" : "complete", any_unclean_exit_ ? 1 : 0,
           any_unclean_exit_ ? "a server did not exit cleanly (see the table)" : "");
  }
}

void Experiment::server_died(const std::string& why) {
  if (finished_ || interrupted_) return;
  std::string message =
      "the server for " + config().label + " (pid " + std::to_string(server_->pid()) + ") died";
  if (phase_) message += " during " + step().phase;
  message += ": " + why + "; its stderr is in " + run_meta_.back().log;
  table_.back().server_exit = why;
  run_meta_.back().exit = why;
  end_phase_now();
  failing_ = true;
  failure_ = message;
  confirm_timer_.stop();
  if (phase_) phase_->interrupt();  // keeps what this phase measured
  finish("failed", 1, message);
}

void Experiment::fail(const std::string& message) {
  if (finished_) return;
  failing_ = true;
  failure_ = message;
  if (phase_) phase_->interrupt();
  stop_server();
}

void Experiment::interrupt() {
  if (finished_) return;
  if (interrupted_) {
    if (server_) server_->kill_now();
    finish("interrupted", 130, "");
    return;
  }
  interrupted_ = true;
  progress_.note("offload-bench: interrupted; stopping the server (Ctrl-C again to kill it)");
  confirm_timer_.stop();
  if (phase_) phase_->interrupt();
  stop_server();
}

// ---- steps ------------------------------------------------------------------------------

std::vector<StreamSpec> Experiment::specs_for(const Step& s) const {
  const ExperimentOptions& o = plan_.options;
  std::vector<StreamSpec> specs;
  if (s.heavy) {
    StreamSpec h;
    h.name = "heavy";
    h.path = "/";
    h.conns = s.calibrate ? 1 : o.heavy_conns;
    h.duration_s = s.seconds;
    h.timeout_s = o.timeout_s;
    if (s.level >= 0) {  // open loop at the level's rate, latency from the intended send
      h.rate = level_rps(s);
      h.poisson = o.heavy_poisson;
      h.conns = std::min(kHeavyInitialConns, o.heavy_max_conns);
      h.max_conns = o.heavy_max_conns;
      h.seed = o.seed * 7919 + run_index_ * 100 + step_index_;
    }
    if (s.calibrate) {
      h.min_calls = kCalibrateMinCalls;
      h.max_duration_s = std::max(kCalibrateMaxS, s.seconds);
    }
    specs.push_back(h);
  }
  if (s.probe) {
    StreamSpec p;
    p.name = "probe";
    p.path = "/hi";
    p.rate = o.probe_rate;
    p.poisson = o.poisson;
    p.conns = kProbeInitialConns;
    p.max_conns = std::max(o.probe_max_conns, kProbeInitialConns);
    p.duration_s = s.seconds;
    p.timeout_s = o.timeout_s;
    p.seed = o.seed + run_index_ * 100 + step_index_;
    specs.push_back(p);
  }
  return specs;
}

void Experiment::start_step() {
  if (interrupted_ || failing_ || finished_) return;
  const Step& s = step();
  step_started_ns_ = uv_hrtime();
  PhaseOptions po;
  po.min_duration_s = s.seconds;
  po.drain_grace_s = plan_.options.timeout_s;
  po.wait_for_closed_loops = true;
  acc_ = PhaseAccumulator{};
  // The machine's figures start with the phase: what came between phases is not its.
  if (sentinel_) sentinel_->take();
  machine_.sample();
  phase_ =
      std::make_unique<Phase>(loop_, target_, specs_for(s), po, static_cast<PhaseListener&>(*this));
  phase_->start();
}

void Experiment::after_step() {
  waiting_boundary_ = false;
  boundary_timer_.stop();
  phase_.reset();
  if (interrupted_ || failing_ || finished_) return;
  if (++step_index_ < steps_.size()) {
    start_step();
  } else {
    stop_server();
  }
}

void Experiment::phase_window(Phase& p, const PhaseWindow& w) {
  progress_.window(p, w);  // the live figures of the progress line
  const Step& s = step();
  if (s.calibrate) {
    if (scraper_) scraper_->scrape("calibrate");
    show_progress();
    return;
  }
  const double t = since_server(w.end_ns);
  const double window_s = static_cast<double>(w.length_ns) / 1e9;
  // The server's tree over this window first: the machine's foreign CPU needs it.
  double tree_cpu = 0;
  bool tree_known = false;
  if (sampler_) {
    for (const auto& r : sampler_->sample()) {
      if (r.role != "machine" && !std::isnan(r.cpu_pct)) tree_cpu += r.cpu_pct, tree_known = true;
      CsvRow row = keys(s);
      row.number(t, 3).integer(static_cast<std::uint64_t>(r.pid)).text(r.role).integer(r.rss_kb);
      row.number(r.cpu_pct, 1).integer(static_cast<std::uint64_t>(std::max(0L, r.threads)));
      folder_.resources(row.line());
    }
    if (tree_known) acc_.tree_cpu_sum += tree_cpu, ++acc_.tree_cpu_n;
  }
  StallReading stall = sentinel_ ? sentinel_->take() : StallReading{};
  const MachineFigures m = acc_.machine.add(machine_.sample(), stall, tree_cpu);
  const bool stalled = validity::window_stalled(m.stall_max_ms, m.steal_ms, window_s, cpus_);
  if (stalled) ++acc_.stalled_windows;
  CsvRow machine;
  machine.number(m.steal_ms, 1).number(m.stall_max_ms, 3).number(m.stall_p99_ms, 3);
  machine.integer(m.harness_invol_cs).number(m.foreign_cpu_pct, 1).integer(stalled ? 1 : 0);
  acc_.answered_while_sending.resize(w.streams.size(), 0);
  acc_.clean.resize(w.streams.size());
  for (std::size_t i = 0; i < w.streams.size(); ++i) {
    const WindowStats& ws = w.streams[i];
    // Windows tick on through the drain; a window that ends within half a window of the
    // stream's last send still belongs to its sending time (timers fire a little late).
    const Stream& stream = *p.streams()[i];
    if (!stream.finished() || w.end_ns <= stream.end_ns() + w.length_ns / 2)
      acc_.answered_while_sending[i] += ws.completed;
    if (!stalled) acc_.clean[i].add(ws.latency);
    CsvRow row = keys(s);
    row.text(p.streams()[i]->spec().name).number(t, 3).number(window_s, 3);
    row.integer(ws.completed).integer(ws.errors);
    row.number(window_s > 0 ? static_cast<double>(ws.completed) / window_s : kNaN, 1);
    row.number(percentile(ws.latency, 0.50, false).value_ms, 3);
    row.number(percentile(ws.latency, 0.99, false).value_ms, 3);
    row.number(ws.completed ? static_cast<double>(ws.latency.max()) / 1000.0 : kNaN, 3);
    row.append(machine);
    folder_.series(row.line());
  }
  if (scraper_) scraper_->scrape(std::to_string(step_index_));
  folder_.flush();
  show_progress();
}

void Experiment::phase_ended(Phase& p) {
  if (interrupted_ || failing_ || finished_ || !scraper_) {
    write_phase_rows(p, step(), nullptr);
    folder_.flush();
    if (!interrupted_ && !failing_ && !finished_) defer([this] { after_step(); });
    return;  // those paths carry on themselves
  }
  // The rows wait for the server's /metrics after the phase (its boundary).
  waiting_boundary_ = true;
  boundary_timer_.start(kBoundaryWaitMs);
  scraper_->snapshot([this](const Scrape* end) {
    std::optional<Scrape> copy;
    if (end) copy = *end;
    defer([this, copy] { phase_boundary(copy ? &*copy : nullptr); });
  });
}

void Experiment::phase_boundary(const Scrape* end) {
  if (!waiting_boundary_ || !phase_) return;
  waiting_boundary_ = false;
  boundary_timer_.stop();
  write_phase_rows(*phase_, step(), end);
  if (end) {
    boundary_ = *end;
    boundary_known_ = true;
  } else {
    boundary_known_ = false;  // the next phase has no start to difference against
  }
  folder_.flush();
  if (interrupted_ || failing_ || finished_) return;
  after_step();
}

void Experiment::end_phase_now() {
  if (!waiting_boundary_ || !phase_) return;
  waiting_boundary_ = false;
  boundary_timer_.stop();
  write_phase_rows(*phase_, step(), nullptr);
  folder_.flush();
}

void Experiment::phase_failed(Phase& p, const std::string& message) {
  write_phase_rows(p, step(), nullptr);
  folder_.flush();
  if (interrupted_ || failing_ || finished_) return;
  // Often the server just died: wait for its exit status, the clearer message.
  phase_failure_ = message;
  confirm_timer_.start(kConfirmDeathMs);
}

void Experiment::show_progress() {
  if (!phase_) return;
  const double in_step = static_cast<double>(uv_hrtime() - step_started_ns_) / 1e9;
  double left = std::max(0.0, step().seconds - in_step) + 1.0;  // + this run's stop
  for (std::size_t i = step_index_ + 1; i < steps_.size(); ++i) left += steps_[i].seconds;
  left += plan_.seconds_from(run_index_ + 1);
  std::string phase = step().phase;
  if (step().level >= 0) phase += " " + plan_.options.levels[step().level].label;
  char text[256];
  std::snprintf(text, sizeof text, "offload-bench: [%zu/%zu] %s r%u %s %.1f/%.0f s, ETA %s",
                run_index_ + 1, plan_.runs.size(), config().label.c_str(), run().repeat,
                phase.c_str(), in_step, step().seconds, format_eta(left).c_str());
  progress_.show(text);
}

}  // namespace bench
