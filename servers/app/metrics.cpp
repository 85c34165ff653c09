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

using offload::prom::header;
using offload::prom::label_text;
using offload::prom::sample;

}  // namespace

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

std::string Metrics::render(const ServerFacts& f) const {
  std::string out;
  out.reserve(8192);
  header(out, "offload_info", "gauge", "The server's configuration.");
  offload::prom::Labels info = {{"strategy", f.strategy},
                                {"workers", std::to_string(f.workers)},
                                {"workload", f.workload},
                                {"fib", std::to_string(f.fib)},
                                {"max_queue", std::to_string(f.max_queue)}};
  info.insert(info.end(), f.workload_labels.begin(), f.workload_labels.end());
  sample(out, "offload_info", 1, label_text(info));
  header(out, "offload_knobs", "gauge",
         "Scheduling and pool knobs in force; refused=\"\" when every one was applied.");
  offload::prom::Labels knobs = f.knob_labels;
  knobs.emplace_back("refused", f.knobs_refused);
  sample(out, "offload_knobs", 1, label_text(knobs));
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
  sample(out, "offload_jobs_queued", static_cast<double>(f.pool.queued));
  header(out, "offload_jobs_running", "gauge", "Jobs running on a worker.");
  sample(out, "offload_jobs_running", static_cast<double>(f.pool.running));
  header(out, "offload_jobs_rejected_total", "counter", "Jobs refused with 503: queue full.");
  sample(out, "offload_jobs_rejected_total", static_cast<double>(jobs_rejected_));
  header(out, "offload_jobs_timed_out_total", "counter", "Jobs answered 504: past --job-timeout.");
  sample(out, "offload_jobs_timed_out_total", static_cast<double>(f.pool.timed_out));
  header(out, "offload_workers_alive", "gauge", "Workers able to take a job.");
  sample(out, "offload_workers_alive", static_cast<double>(f.pool.workers));
  header(out, "offload_workers_restarted_total", "counter", "Workers replaced after dying.");
  sample(out, "offload_workers_restarted_total", static_cast<double>(f.pool.restarts));
  if (!f.pool.per_worker.empty()) {
    // By slot, not pid: a slot keeps its number when its process is replaced (recycled or
    // dead), so its series go on.
    const auto by_slot = [&](const char* name, const char* type, const char* help, auto value) {
      header(out, name, type, help);
      for (const auto& w : f.pool.per_worker)
        sample(out, name, static_cast<double>(value(w)), "slot=\"" + std::to_string(w.slot) + "\"");
    };
    using W = offload::WorkerStats;
    by_slot("offload_worker_busy", "gauge", "1 while the slot's worker process runs a job.",
            [](const W& w) { return w.busy ? 1 : 0; });
    by_slot("offload_worker_jobs_total", "counter",
            "Jobs the slot's worker processes finished, across their replacements.",
            [](const W& w) { return w.slot_jobs; });
    by_slot("offload_worker_process_jobs", "gauge",
            "Jobs the slot's current process finished (what --max-jobs-per-worker counts).",
            [](const W& w) { return w.jobs; });
    by_slot("offload_worker_pid", "gauge", "The process id of the slot's current worker.",
            [](const W& w) { return w.pid; });
    by_slot("offload_worker_restarts_total", "counter", "Workers of the slot replaced after dying.",
            [](const W& w) { return w.slot_restarts; });
    header(out, "offload_workers_recycled_total", "counter",
           "Workers replaced after --max-jobs-per-worker jobs.");
    sample(out, "offload_workers_recycled_total", static_cast<double>(f.pool.recycled));
  }
  header(out, "offload_workers_young_deaths", "gauge",
         "Workers in a row that died within a second of starting (a crash loop when > 0).");
  sample(out, "offload_workers_young_deaths", static_cast<double>(f.pool.young_deaths));
  header(out, "offload_workers_backoff_seconds", "gauge", "Delay before the next worker start.");
  sample(out, "offload_workers_backoff_seconds", static_cast<double>(f.pool.backoff_ms) / 1000.0);
  header(out, "offload_connections_open", "gauge", "Client connections open.");
  sample(out, "offload_connections_open", static_cast<double>(f.connections));
  header(out, "offload_connections_refused_total", "counter",
         "Clients closed at once because --max-conns connections were open.");
  sample(out, "offload_connections_refused_total", static_cast<double>(f.connections_refused));
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
    sample(out, gauge.name.c_str(), gauge.value);
  }
  out += f.pool.metrics;  // the strategy's own (remote: broker, round trip, workers)
  loop_lag_.render(out, "offload_loop_lag_seconds",
                   "How late the loop's periodic probe timer fired.");
  header(out, "offload_loop_lag_max_seconds", "gauge", "Largest loop lag seen since start.");
  sample(out, "offload_loop_lag_max_seconds", loop_lag_.max());
  header(out, "offload_loop_lag_window_max_seconds", "gauge",
         "Largest loop lag in the last `window` (and the 100 ms step in progress); the same for "
         "every scraper.");
  for (const auto& [window, ns] : {std::pair{"1s", 1'000'000'000ULL}, {"10s", 10'000'000'000ULL}})
    sample(out, "offload_loop_lag_window_max_seconds", lag_window_.max_over(ns, f.now_ns),
           std::string("window=\"") + window + "\"");
  header(out, "offload_loop_idle_seconds_total", "counter",
         "Time the loop spent waiting for events (utilisation = 1 - idle/uptime).");
  sample(out, "offload_loop_idle_seconds_total", f.loop_idle_s);
  header(out, "offload_uptime_seconds", "gauge", "Seconds since the server started.");
  sample(out, "offload_uptime_seconds", f.uptime_s);
  render_process_metrics(out);
  return out;
}

}  // namespace app
