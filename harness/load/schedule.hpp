// When each open-loop request is due. Times are computed from the request's index (uniform)
// or from a running sum in double nanoseconds (Poisson), never by adding rounded intervals,
// so the schedule cannot drift from the asked rate however long it runs.
#pragma once

#include <cstdint>
#include <random>

namespace bench {

class ArrivalSchedule {
 public:
  ArrivalSchedule(double rate_per_s, bool poisson, std::uint64_t seed, std::uint64_t start_ns);
  std::uint64_t next();  // the intended send time of the next request, in uv_hrtime() ns

 private:
  double interval_ns_;
  bool poisson_;
  std::uint64_t start_ns_;
  std::uint64_t index_ = 0;
  double elapsed_ns_ = 0;  // Poisson: sum of the inter-arrival times so far
  std::mt19937_64 random_;
  std::exponential_distribution<double> gap_;
};

}  // namespace bench
