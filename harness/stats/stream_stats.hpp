// What one load stream measured: successes with their latency (from the intended send time)
// and service time (from the actual send), errors by class, how late the client itself sent,
// and a 500 ms window that the phase runner takes and resets. Loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "stats/histogram.hpp"

namespace bench {

struct WindowStats {
  std::uint64_t completed = 0;  // successful (2xx) responses
  std::uint64_t errors = 0;
  Histogram latency;
};

class StreamStats {
 public:
  // A 2xx response. For a closed loop the intended time is the actual send time.
  void success(std::uint64_t now_ns, std::uint64_t intended_ns, std::uint64_t sent_ns);
  // Error classes: connect, timeout, reset, parse, status_<code>.
  void error(std::string_view error_class);
  void sent(std::uint64_t intended_ns, std::uint64_t sent_ns);
  void waited_for_connection() { ++conn_waits_; }

  WindowStats take_window();
  bool window_has_data() const { return window_.completed + window_.errors > 0; }

  std::uint64_t count() const { return latency_.count(); }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t requests_sent() const { return sent_; }
  std::uint64_t conn_waits() const { return conn_waits_; }
  std::uint64_t first_sent_ns() const { return first_sent_ns_; }
  std::uint64_t last_sent_ns() const { return last_sent_ns_; }
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
  WindowStats window_;
};

}  // namespace bench
