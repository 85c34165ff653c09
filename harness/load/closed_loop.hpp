// httperf's closed loop: `conns` clients, each sending its next call when the previous
// answer arrived, for `calls` calls each or until the duration ends. A stalled server is
// sent nothing, which is exactly why its stall barely shows here (coordinated omission).
#pragma once

#include <vector>

#include "load/stream.hpp"

namespace bench {

class ClosedLoop final : public Stream {
 public:
  ClosedLoop(uv_loop_t* loop, const Target& target, StreamSpec spec, StreamListener& listener);

 private:
  bool counts_in_drain() const override { return false; }
  void begin() override;
  void connection_free(Connection& c) override;
  void call_done(Connection& c) override;
  void connection_gone(Connection& c) override;
  void sending_stopped() override { duration_timer_.stop(); }

  void next(Connection& c);
  void duration_reached();
  bool client_done(std::size_t client) const;

  std::vector<std::uint64_t> calls_;  // per client, answered or failed
  std::uint64_t total_calls_ = 0;
  std::size_t clients_done_ = 0;
  uvx::Timer duration_timer_;
};

}  // namespace bench
