// The remote strategy's part of /metrics.
#include "remote_stats.hpp"

#include <cstdio>

namespace offload::remote {

namespace {

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

void sample(std::string& out, const char* name, const char* type, const char* help, double v) {
  header(out, name, type, help);
  char line[160];
  std::snprintf(line, sizeof line, "%s %.9g\n", name, v);
  out += line;
}

}  // namespace

void SecondsHistogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  ++counts_[i];
  sum_ += seconds;
  ++count_;
}

void SecondsHistogram::render(std::string& out, const char* name, const char* help) const {
  header(out, name, "histogram", help);
  std::uint64_t cumulative = 0;
  char line[200];
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i];
    if (i < kBounds.size()) {
      std::snprintf(line, sizeof line, "%s_bucket{le=\"%g\"} %llu\n", name, kBounds[i],
                    static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof line, "%s_bucket{le=\"+Inf\"} %llu\n", name,
                    static_cast<unsigned long long>(cumulative));
    }
    out += line;
  }
  std::snprintf(line, sizeof line, "%s_sum %.9g\n%s_count %llu\n", name, sum_, name,
                static_cast<unsigned long long>(count_));
  out += line;
}

void render(std::string& out, const RemoteStats& s, std::size_t in_flight,
            const std::map<std::string, WorkerView>& workers) {
  s.round_trip.render(out, "offload_remote_round_trip_seconds",
                      "Remote jobs from their publication to their result's arrival (answered "
                      "attempts).");
  s.transit.render(out, "offload_remote_transit_seconds",
                   "Remote round trip less the worker's own time (queue and run): the broker and "
                   "the network, both ways.");
  sample(out, "offload_remote_jobs_in_flight", "gauge",
         "Remote jobs published and not yet answered.", static_cast<double>(in_flight));
  header(out, "offload_remote_replies_total", "counter", "Job results received, by worker id.");
  for (const auto& [worker, n] : s.replies_by_worker)
    out += "offload_remote_replies_total{worker=\"" + worker + "\"} " + std::to_string(n) + "\n";
  sample(out, "offload_remote_retries_total", "counter",
         "Jobs published again after their worker died or fell silent holding them.",
         static_cast<double>(s.retries));
  sample(out, "offload_remote_lost_attempts_total", "counter",
         "Attempts lost: their worker died or fell silent (each is retried or answered 502).",
         static_cast<double>(s.lost_attempts));
  sample(out, "offload_remote_no_responders_total", "counter",
         "Jobs the broker could give to no worker (answered 503, or 502 on a retry).",
         static_cast<double>(s.no_responders));
  sample(out, "offload_remote_late_replies_total", "counter",
         "Results that came for a job already answered (timed out, retried or failed): dropped.",
         static_cast<double>(s.late_replies));
  sample(out, "offload_remote_broker_refusals_total", "counter",
         "Jobs answered 503 because the broker connection was down.",
         static_cast<double>(s.broker_refusals));
  sample(out, "offload_remote_connected", "gauge",
         "1 while the broker connection is up, 0 while it is down or reconnecting.",
         s.connected ? 1 : 0);
  header(out, "offload_remote_connection_state", "gauge",
         "The broker connection's state: 1 for the current one.");
  const char* current = s.closed ? "closed" : s.connected ? "connected" : "reconnecting";
  for (const char* state : {"connected", "reconnecting", "closed"})
    out += std::string("offload_remote_connection_state{state=\"") + state + "\"} " +
           (std::string(state) == current ? "1" : "0") + "\n";
  sample(out, "offload_remote_disconnects_total", "counter", "Broker connections lost.",
         static_cast<double>(s.disconnects));
  sample(out, "offload_remote_reconnects_total", "counter",
         "Broker connections won back after a loss.", static_cast<double>(s.reconnects));
  unsigned capacity = 0;
  for (const auto& [id, w] : workers) capacity += w.concurrency;
  sample(out, "offload_remote_workers", "gauge",
         "Workers heard from (heartbeats) within their liveness limit.",
         static_cast<double>(workers.size()));
  sample(out, "offload_remote_worker_capacity", "gauge",
         "Jobs the live workers run at once, all together.", static_cast<double>(capacity));
  header(out, "offload_remote_worker_busy", "gauge",
         "Jobs each live worker holds (queued or running), from its last heartbeat.");
  for (const auto& [id, w] : workers)
    out += "offload_remote_worker_busy{worker=\"" + id + "\"} " + std::to_string(w.busy) + "\n";
}

}  // namespace offload::remote
