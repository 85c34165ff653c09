// The window bookkeeping mirrors the experiment runner's (runner.cpp phase_window), so a run's
// rows mean what an experiment's mean; the run has no server process of its own to sample,
// so the server tree's CPU and the machine's foreign CPU stay empty.
#include "cli/run_recorder.hpp"

#include <cmath>
#include <thread>

#include "experiment/stream_role.hpp"
#include "experiment/validity.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

RunRecorder::RunRecorder(uv_loop_t* loop, const RunOptions& options)
    : loop_(loop),
      options_(options),
      wants_server_(!options.json_path.empty() || !options.csv_dir.empty()),
      wants_folder_(!options.csv_dir.empty()),
      phase_(run_phase(options.streams)),
      wait_timer_(loop, [this] {
        if (auto got = std::move(waiting_)) {
          waiting_ = nullptr;
          got(nullptr);
        }
      }) {
  server_ = identify_server(nullptr, options.streams);
  figures_.cpus = std::max(1u, std::thread::hardware_concurrency());
  if (wants_server_) {
    scraper_ = std::make_unique<MetricsScraper>(
        loop, options.target, [this](const std::string&, std::uint64_t at_ns, const LoopWindow& w) {
          metrics_row(at_ns, w);
        });
  }
  if (wants_folder_) {
    sentinel_ = std::make_unique<StallSentinel>();
    machine_ = std::make_unique<MachineSampler>();
    figures_.known = true;
  }
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::wait_for(std::function<void(const Scrape*)> got) {
  waiting_ = std::move(got);
  wait_timer_.start(kScrapeWaitMs);
  scraper_->snapshot([this](const Scrape* s) {
    wait_timer_.stop();
    if (auto got = std::move(waiting_)) {
      waiting_ = nullptr;
      got(s);
    }
  });
}

void RunRecorder::cancel() {
  wait_timer_.stop();
  if (auto got = std::move(waiting_)) {
    waiting_ = nullptr;
    got(nullptr);
  }
}

void RunRecorder::close() {
  waiting_ = nullptr;
  wait_timer_.close();
  scraper_.reset();  // a keep-alive connection would hold the loop open
  sentinel_.reset();
}

void RunRecorder::before(std::function<void()> ready) {
  auto go = [this, ready = std::move(ready)](const Scrape* s) {
    if (s) before_ = *s;
    server_ = identify_server(s, options_.streams);
    // The machine's figures start with the run: what came before is not its.
    if (sentinel_) sentinel_->take();
    if (machine_) machine_->sample();
    ready();
  };
  if (!scraper_) return go(nullptr);
  wait_for(std::move(go));
}

void RunRecorder::after(std::function<void()> done) {
  if (!scraper_ || !before_ || !server_.identified) return done();
  wait_for([this, done = std::move(done)](const Scrape* end) {
    if (end) {
      breakdown_.known = true;
      breakdown_.wait = histogram_delta(*before_, *end, "offload_job_queue_wait_seconds");
      breakdown_.service = histogram_delta(*before_, *end, "offload_job_service_seconds");
      breakdown_.handback = histogram_delta(*before_, *end, "offload_job_handback_seconds");
    }
    done();
  });
}

void RunRecorder::window(const Phase& p, const PhaseWindow& w) {
  const auto& streams = p.streams();
  if (p.start_ns() != phase_start_ns_) {
    phase_start_ns_ = p.start_ns();
    answered_while_sending_.assign(streams.size(), 0);
    clean_.assign(wants_folder_ ? streams.size() : 0, Histogram{});
  }
  for (std::size_t i = 0; i < w.streams.size() && i < streams.size(); ++i) {
    // Windows tick on through the drain; one that ends within half a window of the stream's
    // last send still belongs to its sending time (timers fire a little late).
    const Stream& s = *streams[i];
    if (!s.finished() || w.end_ns <= s.end_ns() + w.length_ns / 2)
      answered_while_sending_[i] += static_cast<double>(w.streams[i].completed);
  }
  if (!wants_folder_ || !sentinel_) return;
  const double t = static_cast<double>(w.end_ns - p.start_ns()) / 1e9;
  const double window_s = static_cast<double>(w.length_ns) / 1e9;
  const StallReading stall = sentinel_->take();
  const MachineFigures m = tally_.add(machine_->sample(), stall, 0);
  const bool stalled =
      validity::window_stalled(m.stall_max_ms, m.steal_ms, window_s, figures_.cpus);
  if (stalled) ++figures_.stalled_windows;
  for (std::size_t i = 0; i < w.streams.size() && i < streams.size(); ++i) {
    const WindowStats& ws = w.streams[i];
    if (!stalled) clean_[i].add(ws.latency);
    NamedRow row("series.csv");
    run_key_cells(row, server_, phase_);
    row.text("stream", stream_role(streams[i]->spec()))
        .number("t_s", t, 3)
        .number("window_s", window_s, 3)
        .integer("completed", ws.completed)
        .integer("errors", ws.errors)
        .number("rate_rps", window_s > 0 ? static_cast<double>(ws.completed) / window_s : kNaN, 1)
        .number("p50_ms", percentile(ws.latency, 0.50, false).value_ms, 3)
        .number("p99_ms", percentile(ws.latency, 0.99, false).value_ms, 3)
        .number("max_ms", ws.completed ? static_cast<double>(ws.latency.max()) / 1000.0 : kNaN, 3)
        .number("steal_ms", m.steal_ms, 1)
        .number("stall_max_ms", m.stall_max_ms, 3)
        .number("stall_p99_ms", m.stall_p99_ms, 3)
        .integer("harness_invol_cs", m.harness_invol_cs)
        .integer("stalled", stalled ? 1 : 0);
    series_rows_.push_back(row.line());
  }
  // The server's /metrics beside the window (an identified server only: another may have
  // none, and asking it twice a second would only add 404s to its load).
  if (scraper_ && server_.identified) scraper_->scrape("window");
}

void RunRecorder::metrics_row(std::uint64_t at_ns, const LoopWindow& w) {
  if (!wants_folder_ || phase_start_ns_ == 0) return;
  if (!std::isnan(w.jobs_queued)) queued_sum_ += w.jobs_queued, ++queued_n_;
  if (!std::isnan(w.lag_p99_ms) && !(breakdown_.lag_p99_max_ms >= w.lag_p99_ms))
    breakdown_.lag_p99_max_ms = w.lag_p99_ms;
  NamedRow row("metrics.csv");
  run_key_cells(row, server_, phase_);
  row.number("t_s",
             at_ns > phase_start_ns_ ? static_cast<double>(at_ns - phase_start_ns_) / 1e9 : 0, 3)
      .number("loop_lag_p50_ms", w.lag_p50_ms, 3)
      .number("loop_lag_p99_ms", w.lag_p99_ms, 3)
      .number("loop_lag_max_ms", w.lag_max_ms, 3)
      .number("loop_utilisation", w.utilisation, 4)
      .number("jobs_queued", w.jobs_queued, 0)
      .number("jobs_running", w.jobs_running, 0)
      .number("workers_alive", w.workers_alive, 0)
      .number("workers_restarted", w.workers_restarted, 0)
      .number("jobs_rejected", w.jobs_rejected, 0);
  metrics_rows_.push_back(row.line());
}

RunFacts RunRecorder::facts(const Phase& p) const {
  RunFacts f;
  f.options = &options_;
  f.start_ns = p.start_ns();
  f.end_ns = p.end_ns();
  f.server = server_;
  f.breakdown = breakdown_;
  f.breakdown.queue_depth_mean = queued_n_ ? queued_sum_ / static_cast<double>(queued_n_) : kNaN;
  f.machine = figures_;
  f.machine.figures = tally_.total();
  const auto& streams = p.streams();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    RunStream rs;
    rs.stream = streams[i].get();
    rs.role = stream_role(streams[i]->spec());
    if (i < answered_while_sending_.size()) rs.answered_while_sending = answered_while_sending_[i];
    if (i < clean_.size()) {
      rs.clean = clean_[i];
      rs.clean_known = true;
    }
    f.streams.push_back(std::move(rs));
  }
  f.series_rows = series_rows_;
  f.metrics_rows = metrics_rows_;
  return f;
}

}  // namespace bench
