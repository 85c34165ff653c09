// What one load stream measured: successes with their latency (from the intended send time)
// and service time (from the actual send), errors by class, how late the client itself sent,
// and a 500 ms window that the phase runner takes and resets. For the validity checks it
// also keeps, bounded, the latencies in completion order (are neighbours independent?) and
// an open loop's gaps between actual sends (are the arrivals still Poisson?). Loop thread
// only.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stats/histogram.hpp"

namespace bench {

struct WindowStats {
  std::uint64_t completed = 0;  // successful (2xx) responses
  std::uint64_t errors = 0;
  Histogram latency;
};

class StreamStats {
 public:
  // The sequences keep their first this many values: 200k x 12 bytes at most per stream,
  // and far more than a lag-1 correlation or a goodness-of-fit test needs.
  static constexpr std::size_t kSequenceLimit = 200'000;

  // A 2xx response. For a closed loop the intended time is the actual send time.
  void success(std::uint64_t now_ns, std::uint64_t intended_ns, std::uint64_t sent_ns);
  // Error classes: connect, timeout, reset, parse, status_<code>.
  void error(std::string_view error_class);
  void sent(std::uint64_t intended_ns, std::uint64_t sent_ns);
  void waited_for_connection() { ++conn_waits_; }
  // Open loop: the schedule's end (sends after it are late ones; see sent_in_run) and one
  // call per request the schedule made due. Also turns on the send-gap record.
  void open_schedule(std::uint64_t stop_ns);
  void due() { ++due_; }

  WindowStats take_window();
  bool window_has_data() const { return window_.completed + window_.errors > 0; }

  std::uint64_t count() const { return latency_.count(); }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t requests_sent() const { return sent_; }
  std::uint64_t conn_waits() const { return conn_waits_; }
  std::uint64_t first_sent_ns() const { return first_sent_ns_; }
  std::uint64_t last_sent_ns() const { return last_sent_ns_; }
  // Open loop: requests due in the run (for Poisson arrivals the realised count, not rate x
  // duration), and those actually sent by the schedule's end. Their ratio is the achieved
  // share of the asked rate, free of the Poisson count's own noise; 0 for a closed loop.
  std::uint64_t requests_due() const { return due_; }
  std::uint64_t sent_in_run() const { return sent_in_run_; }
  // Successful latencies in completion order, whole microseconds (the first kSequenceLimit).
  std::span<const std::uint32_t> latency_sequence_us() const { return latency_sequence_; }
  // Open loop: gaps between consecutive actual send times, ns (the first kSequenceLimit).
  std::span<const std::uint64_t> send_gaps_ns() const { return send_gaps_; }
  const std::map<std::string, std::uint64_t, std::less<>>& error_classes() const {
    return error_classes_;
  }
  // "timeout:3;status_503:12", classes in name order; empty when there were no errors.
  std::string error_classes_text() const;
  const Histogram& latency() const { return latency_; }
  const Histogram& service() const { return service_; }
  const Histogram& lateness() const { return lateness_; }

 private:
  Histogram latency_;   // response time from the intended send time (coordinated omission free)
  Histogram service_;   // response time from the actual send
  Histogram lateness_;  // actual send - intended send: the client's own delay
  std::map<std::string, std::uint64_t, std::less<>> error_classes_;
  std::uint64_t errors_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t conn_waits_ = 0;  // open loop: requests that found every connection busy at the cap
  std::uint64_t first_sent_ns_ = 0;
  std::uint64_t last_sent_ns_ = 0;
  std::uint64_t due_ = 0;
  std::uint64_t sent_in_run_ = 0;
  std::uint64_t schedule_stop_ns_ = 0;  // 0: not an open loop
  std::vector<std::uint32_t> latency_sequence_;
  std::vector<std::uint64_t> send_gaps_;
  WindowStats window_;
};

}  // namespace bench
