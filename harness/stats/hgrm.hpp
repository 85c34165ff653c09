// A histogram's full percentile spectrum in HdrHistogram's classic text layout (the `.hgrm`
// that wrk2 --latency prints and HdrHistogram's plotters read), values in milliseconds.
#pragma once

#include <string>

#include "stats/histogram.hpp"

namespace bench {

std::string to_hgrm(const Histogram& micros, int ticks_per_half_distance = 5);

}  // namespace bench
