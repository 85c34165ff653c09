// wrk2's open loop: requests are due on a fixed schedule (or a Poisson one) and leave when
// due, whatever earlier requests are doing. A due request takes an idle connection, or opens
// a new one (up to max_conns), or, at the cap, waits for the first connection to free up.
// Its latency is counted from when it was due, so a stall shows in full.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "load/precise_timer.hpp"
#include "load/schedule.hpp"
#include "load/stream.hpp"

namespace bench {

class OpenLoop final : public Stream {
 public:
  OpenLoop(uv_loop_t* loop, const Target& target, StreamSpec spec, StreamListener& listener);
  std::size_t outstanding() const override { return busy_ + waiting_.size(); }

 private:
  bool counts_in_drain() const override { return true; }
  void begin() override;
  void connection_free(Connection& c) override;
  void connection_gone(Connection& c) override;
  void sending_stopped() override { timer_.disarm(); }
  void expire_waiting(std::uint64_t now) override;
  void abandon_waiting(bool count) override;

  void tick();
  void pump();  // pairs waiting requests with idle connections, opens more if allowed

  PreciseTimer timer_;
  std::optional<ArrivalSchedule> schedule_;
  std::uint64_t next_due_ = 0;
  std::uint64_t stop_ns_ = 0;
  std::deque<std::uint64_t> waiting_;  // due times of requests without a connection yet
  std::vector<Connection*> idle_;
};

}  // namespace bench
