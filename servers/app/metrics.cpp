// Rendering of /metrics. Counters are plain integers: everything here runs on the loop thread.
#include "metrics.hpp"

#include "process_metrics.hpp"

#include <cstdio>

namespace app {

namespace {

const char* endpoint_label(int e) {
  switch (static_cast<Endpoint>(e)) {
    case Endpoint::root:
      return "/";
    case Endpoint::hi:
      return "/hi";
    case Endpoint::metrics:
      return "/metrics";
    case Endpoint::other:
      return "other";
    default:
      return "none";  // answered by the HTTP front end before routing
  }
}

void append_sample(std::string& out, const char* name, double value) {
  char line[160];
  std::snprintf(line, sizeof line, "%s %.9g\n", name, value);
  out += line;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  ++counts_[i];
  sum_ += seconds;
  ++count_;
  if (seconds > max_) max_ = seconds;
}

void Histogram::render(std::string& out, const char* name, const char* help,
                       const std::string& labels) const {
  header(out, name, "histogram", help);
  render_series(out, name, labels);
}

void Histogram::render_series(std::string& out, const char* name, const std::string& labels) const {
  const std::string before_le = labels.empty() ? "" : labels + ",";
  const std::string own = labels.empty() ? "" : "{" + labels + "}";
  std::uint64_t cumulative = 0;
  char line[256];
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i];
    if (i < kBounds.size()) {
      std::snprintf(line, sizeof line, "%s_bucket{%sle=\"%g\"} %llu\n", name, before_le.c_str(),
                    kBounds[i], static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof line, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, before_le.c_str(),
                    static_cast<unsigned long long>(cumulative));
    }
    out += line;
  }
  std::snprintf(line, sizeof line, "%s_sum%s %.9g\n%s_count%s %llu\n", name, own.c_str(), sum_,
                name, own.c_str(), static_cast<unsigned long long>(count_));
  out += line;
}

void Metrics::count_request(Endpoint endpoint, int status) {
  if (status < 0 || status >= kMaxStatus) status = 0;
  ++requests_[static_cast<int>(endpoint)][status];
}

void Metrics::observe_job(double total_s, double run_s, double engine_s, double loop_s) {
  job_seconds_.observe(total_s);
  job_run_seconds_.observe(run_s);
  if (engine_s > 0) job_engine_seconds_.observe(engine_s);
  if (loop_s > 0) job_loop_seconds_.observe(loop_s);
}

std::string Metrics::render(const ServerFacts& f) {
  std::string out;
  out.reserve(8192);
  header(out, "offload_info", "gauge", "The server's configuration.");
  // Built as a string: a workload's labels have no fixed length.
  out += "offload_info{strategy=\"" + f.strategy + "\",workers=\"" + std::to_string(f.workers) +
         "\",workload=\"" + f.workload + "\",fib=\"" + std::to_string(f.fib) + "\",max_queue=\"" +
         std::to_string(f.max_queue) + "\"" + f.workload_labels + "} 1\n";

  header(out, "offload_knobs", "gauge",
         "Scheduling and pool knobs in force; refused=\"\" when every one was applied.");
  out += "offload_knobs{" + f.knob_labels + ",refused=\"" + f.knobs_refused + "\"} 1\n";
  header(out, "offload_requests_total", "counter", "Requests answered, by endpoint and status.");
  char line[256];
  for (int e = 0; e < static_cast<int>(Endpoint::count); ++e) {
    for (int s = 0; s < kMaxStatus; ++s) {
      if (requests_[e][s] == 0) continue;
      std::snprintf(line, sizeof line,
                    "offload_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n",
                    endpoint_label(e), s, static_cast<unsigned long long>(requests_[e][s]));
      out += line;
    }
  }
  header(out, "offload_jobs_queued", "gauge", "Jobs waiting for a worker.");
  append_sample(out, "offload_jobs_queued", static_cast<double>(f.pool.queued));
  header(out, "offload_jobs_running", "gauge", "Jobs running on a worker.");
  append_sample(out, "offload_jobs_running", static_cast<double>(f.pool.running));
  header(out, "offload_jobs_rejected_total", "counter", "Jobs refused with 503: queue full.");
  append_sample(out, "offload_jobs_rejected_total", static_cast<double>(jobs_rejected_));
  header(out, "offload_jobs_timed_out_total", "counter", "Jobs answered 504: past --job-timeout.");
  append_sample(out, "offload_jobs_timed_out_total", static_cast<double>(f.pool.timed_out));
  header(out, "offload_workers_alive", "gauge", "Workers able to take a job.");
  append_sample(out, "offload_workers_alive", static_cast<double>(f.pool.workers));
  header(out, "offload_workers_restarted_total", "counter", "Workers replaced after dying.");
  append_sample(out, "offload_workers_restarted_total", static_cast<double>(f.pool.restarts));
  if (!f.pool.per_worker.empty()) {
    header(out, "offload_worker_busy", "gauge", "1 while the worker process runs a job.");
    for (const auto& w : f.pool.per_worker) {
      std::snprintf(line, sizeof line, "offload_worker_busy{pid=\"%d\"} %d\n", w.pid,
                    w.busy ? 1 : 0);
      out += line;
    }
    header(out, "offload_worker_jobs_total", "counter", "Jobs each worker process finished.");
    for (const auto& w : f.pool.per_worker) {
      std::snprintf(line, sizeof line, "offload_worker_jobs_total{pid=\"%d\",slot=\"%zu\"} %llu\n",
                    w.pid, w.slot, static_cast<unsigned long long>(w.jobs));
      out += line;
    }
    header(out, "offload_worker_restarts_total", "counter",
           "Workers of each slot replaced after dying (a slot keeps its number across restarts).");
    for (const auto& w : f.pool.per_worker) {
      std::snprintf(line, sizeof line, "offload_worker_restarts_total{slot=\"%zu\"} %llu\n", w.slot,
                    static_cast<unsigned long long>(w.slot_restarts));
      out += line;
    }
    header(out, "offload_workers_recycled_total", "counter",
           "Workers replaced after --max-jobs-per-worker jobs.");
    append_sample(out, "offload_workers_recycled_total", static_cast<double>(f.pool.recycled));
  }
  header(out, "offload_workers_young_deaths", "gauge",
         "Workers in a row that died within a second of starting (a crash loop when > 0).");
  append_sample(out, "offload_workers_young_deaths", static_cast<double>(f.pool.young_deaths));
  header(out, "offload_workers_backoff_seconds", "gauge", "Delay before the next worker start.");
  append_sample(out, "offload_workers_backoff_seconds",
                static_cast<double>(f.pool.backoff_ms) / 1000.0);
  header(out, "offload_connections_open", "gauge", "Client connections open.");
  append_sample(out, "offload_connections_open", static_cast<double>(f.connections));
  header(out, "offload_connections_refused_total", "counter",
         "Clients closed at once because --max-conns connections were open.");
  append_sample(out, "offload_connections_refused_total",
                static_cast<double>(f.connections_refused));
  job_seconds_.render(out, "offload_job_seconds",
                      "Jobs from submission to result on the loop (wait + run + hand-back).");
  job_run_seconds_.render(out, "offload_job_run_seconds", "Jobs' own run time where they ran.");
  const std::string strategy = "strategy=\"" + f.strategy + "\"";
  job_queue_wait_.render(out, "offload_job_queue_wait_seconds",
                         "Answered jobs from acceptance to their start on a worker (inline: time "
                         "the loop spent on other work first, in the turn that read the request).",
                         strategy);
  job_service_.render(out, "offload_job_service_seconds",
                      "Answered jobs from start to end, measured where they ran (worker thread "
                      "or worker process).",
                      strategy);
  job_handback_.render(out, "offload_job_handback_seconds",
                       "Answered jobs from their end on the worker to the answer handed to the "
                       "connection's write (process: half the pipe round trip is counted here).",
                       strategy);
  if (f.jobs_on_loop_async)
    job_loop_seconds_.render(out, "offload_job_loop_seconds",
                             "Time the event loop itself spent inside the workload per job run on "
                             "it asynchronously (set-up, spawning gpg, pipe I/O and hashing).",
                             strategy);
  // The name and the endpoint values Prometheus users know from client libraries' HTTP
  // middleware: "heavy" for the job endpoint, whose path "/" says little on a dashboard.
  header(out, "offload_http_request_duration_seconds", "histogram",
         "Routed requests from their parse to their answer handed to the connection's write, by "
         "endpoint (hi, heavy, metrics, other).");
  const std::pair<Endpoint, const char*> endpoints[] = {{Endpoint::hi, "hi"},
                                                        {Endpoint::root, "heavy"},
                                                        {Endpoint::metrics, "metrics"},
                                                        {Endpoint::other, "other"}};
  for (const auto& [e, label] : endpoints)
    request_seconds_[static_cast<int>(e)].render_series(
        out, "offload_http_request_duration_seconds", std::string("endpoint=\"") + label + "\"");
  const workloads::WorkloadMetrics& own = f.workload_metrics;
  if (!own.engine_histogram.empty())
    job_engine_seconds_.render(out, own.engine_histogram.c_str(), own.engine_help.c_str());
  for (const auto& gauge : own.gauges) {
    header(out, gauge.name.c_str(), "gauge", gauge.help.c_str());
    append_sample(out, gauge.name.c_str(), gauge.value);
  }
  out += f.pool.metrics;  // the strategy's own (remote: broker, round trip, workers)
  loop_lag_.render(out, "offload_loop_lag_seconds",
                   "How late the loop's periodic probe timer fired.");
  header(out, "offload_loop_lag_max_seconds", "gauge", "Largest loop lag seen since start.");
  append_sample(out, "offload_loop_lag_max_seconds", loop_lag_.max());
  header(out, "offload_loop_lag_max_since_scrape_seconds", "gauge",
         "Largest loop lag since the previous /metrics scrape (one scraper assumed).");
  append_sample(out, "offload_loop_lag_max_since_scrape_seconds", lag_max_since_scrape_);
  lag_max_since_scrape_ = 0;
  header(out, "offload_loop_idle_seconds_total", "counter",
         "Time the loop spent waiting for events (utilisation = 1 - idle/uptime).");
  append_sample(out, "offload_loop_idle_seconds_total", f.loop_idle_s);
  header(out, "offload_uptime_seconds", "gauge", "Seconds since the server started.");
  append_sample(out, "offload_uptime_seconds", f.uptime_s);
  render_process_metrics(out);
  return out;
}

}  // namespace app
