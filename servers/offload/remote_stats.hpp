// What the remote strategy adds to /metrics, in Prometheus' text format: the round trip of a
// job through the broker, the broker connection's state, the workers it hears from. Kept and
// rendered by the strategy itself (loop thread only), so /metrics shows it without knowing it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "prom_text.hpp"

namespace offload::remote {

using SecondsHistogram = prom::Histogram;

struct WorkerView {  // a worker as its heartbeats describe it
  unsigned concurrency = 0;
  unsigned busy = 0;
};

struct RemoteStats {
  SecondsHistogram round_trip;  // publish -> reply, for answered attempts
  SecondsHistogram transit;     // the same less the worker's own time: broker and network
  std::map<std::string, std::uint64_t> replies_by_worker;
  std::uint64_t retries = 0;
  std::uint64_t lost_attempts = 0;  // a worker died or fell silent holding it
  std::uint64_t no_responders = 0;
  std::uint64_t late_replies = 0;     // for a job already answered (timed out, retried, failed)
  std::uint64_t broker_refusals = 0;  // answered 503 because the broker was away
  std::uint64_t disconnects = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t broker_restarts = 0;  // the private broker started again after it exited
  bool connected = false;
  bool closed = false;
};

// Appends the exposition. `in_flight`: jobs published and not answered; `workers`: the live
// workers by id.
void render(std::string& out, const RemoteStats& stats, std::size_t in_flight,
            const std::map<std::string, WorkerView>& workers);

}  // namespace offload::remote
