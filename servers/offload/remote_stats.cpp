// The remote strategy's part of /metrics.
#include "remote_stats.hpp"

namespace offload::remote {

namespace {

using prom::header;
using prom::single;

// A worker's id comes from the worker itself, over the network: escaped like any value.
std::string worker_label(const std::string& id) {
  return "worker=\"" + prom::escape_label_value(id) + "\"";
}

}  // namespace

void render(std::string& out, const RemoteStats& s, std::size_t in_flight,
            const std::map<std::string, WorkerView>& workers) {
  s.round_trip.render(out, "offload_remote_round_trip_seconds",
                      "Remote jobs from their publication to their result's arrival (answered "
                      "attempts).");
  s.transit.render(out, "offload_remote_transit_seconds",
                   "Remote round trip less the worker's own time (queue and run): the broker and "
                   "the network, both ways.");
  single(out, "offload_remote_jobs_in_flight", "gauge",
         "Remote jobs published and not yet answered.", static_cast<double>(in_flight));
  header(out, "offload_remote_replies_total", "counter", "Job results received, by worker id.");
  for (const auto& [worker, n] : s.replies_by_worker)
    prom::sample(out, "offload_remote_replies_total", static_cast<double>(n), worker_label(worker));
  single(out, "offload_remote_retries_total", "counter",
         "Jobs published again after their worker died or fell silent holding them.",
         static_cast<double>(s.retries));
  single(out, "offload_remote_lost_attempts_total", "counter",
         "Attempts lost: their worker died or fell silent (each is retried or answered 502).",
         static_cast<double>(s.lost_attempts));
  single(out, "offload_remote_no_responders_total", "counter",
         "Jobs the broker could give to no worker (answered 503, or 502 on a retry).",
         static_cast<double>(s.no_responders));
  single(out, "offload_remote_late_replies_total", "counter",
         "Results that came for a job already answered (timed out, retried or failed): dropped.",
         static_cast<double>(s.late_replies));
  single(out, "offload_remote_broker_refusals_total", "counter",
         "Jobs answered 503 because the broker connection was down.",
         static_cast<double>(s.broker_refusals));
  single(out, "offload_remote_connected", "gauge",
         "1 while the broker connection is up, 0 while it is down or reconnecting.",
         s.connected ? 1 : 0);
  header(out, "offload_remote_connection_state", "gauge",
         "The broker connection's state: 1 for the current one.");
  const char* current = s.closed ? "closed" : s.connected ? "connected" : "reconnecting";
  for (const char* state : {"connected", "reconnecting", "closed"})
    out += std::string("offload_remote_connection_state{state=\"") + state + "\"} " +
           (std::string(state) == current ? "1" : "0") + "\n";
  single(out, "offload_remote_disconnects_total", "counter", "Broker connections lost.",
         static_cast<double>(s.disconnects));
  single(out, "offload_remote_reconnects_total", "counter",
         "Broker connections won back after a loss.", static_cast<double>(s.reconnects));
  single(out, "offload_remote_broker_restarts_total", "counter",
         "Times the private broker (no --nats) was started again after it exited.",
         static_cast<double>(s.broker_restarts));
  unsigned capacity = 0;
  for (const auto& [id, w] : workers) capacity += w.concurrency;
  single(out, "offload_remote_workers", "gauge",
         "Workers heard from (heartbeats) within their liveness limit.",
         static_cast<double>(workers.size()));
  single(out, "offload_remote_worker_capacity", "gauge",
         "Jobs the live workers run at once, all together.", static_cast<double>(capacity));
  header(out, "offload_remote_worker_busy", "gauge",
         "Jobs each live worker holds (queued or running), from its last heartbeat.");
  for (const auto& [id, w] : workers)
    prom::sample(out, "offload_remote_worker_busy", w.busy, worker_label(id));
}

}  // namespace offload::remote
