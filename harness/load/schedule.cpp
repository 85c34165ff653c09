// The first request is due at the start itself; a Poisson stream's gaps are exponential with
// mean 1/rate, drawn from a seeded generator so a run can be repeated exactly.
#include "load/schedule.hpp"

#include <cmath>

namespace bench {

ArrivalSchedule::ArrivalSchedule(double rate_per_s, bool poisson, std::uint64_t seed,
                                 std::uint64_t start_ns)
    : interval_ns_(1e9 / rate_per_s),
      poisson_(poisson),
      start_ns_(start_ns),
      random_(seed),
      gap_(1.0 / interval_ns_) {}

std::uint64_t ArrivalSchedule::next() {
  double offset = 0;
  if (poisson_) {
    offset = elapsed_ns_;
    elapsed_ns_ += gap_(random_);
  } else {
    offset = static_cast<double>(index_) * interval_ns_;
  }
  ++index_;
  return start_ns_ + static_cast<std::uint64_t>(std::llround(offset));
}

}  // namespace bench
