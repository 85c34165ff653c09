// The table `offload-bench` prints at the end of a load run: one row per stream, then the
// details a row has no room for (confidence intervals, error classes, client lateness).
#pragma once

#include <string>
#include <vector>

#include "load/stream.hpp"

namespace bench {

std::string run_report(const std::vector<const Stream*>& streams);

// "1.234", or "-" for NaN: a missing figure stays visibly missing.
std::string format_ms(double ms);

}  // namespace bench
