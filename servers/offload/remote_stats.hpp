// What the remote strategy adds to /metrics, in Prometheus' text format: the round trip of a
// job through the broker, the broker connection's state, the workers it hears from. Kept and
// rendered by the strategy itself (loop thread only), so /metrics shows it without knowing it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace offload::remote {

// A histogram with the bounds of the server's other job histograms (about six a decade from
// 10 us to 10 s), so the two read alike.
class SecondsHistogram {
 public:
  void observe(double seconds);
  void render(std::string& out, const char* name, const char* help) const;
  std::uint64_t count() const { return count_; }

 private:
  static constexpr std::array<double, 36> kBounds = {
      0.00001, 0.000015, 0.00002, 0.00003, 0.00005, 0.000075, 0.0001, 0.00015, 0.0002,
      0.0003,  0.0005,   0.00075, 0.001,   0.0015,  0.002,    0.003,  0.005,   0.0075,
      0.01,    0.015,    0.02,    0.03,    0.05,    0.075,    0.1,    0.15,    0.2,
      0.3,     0.5,      0.75,    1,       1.5,     2,        3,      5,       10};
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

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
  bool connected = false;
  bool closed = false;
};

// Appends the exposition. `in_flight`: jobs published and not answered; `workers`: the live
// workers by id.
void render(std::string& out, const RemoteStats& stats, std::size_t in_flight,
            const std::map<std::string, WorkerView>& workers);

}  // namespace offload::remote
