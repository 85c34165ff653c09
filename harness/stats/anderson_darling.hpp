// Anderson-Darling test of exponentiality, for the gaps between an open loop's actual send
// times: Poisson arrivals have independent exponential gaps, and a client that sends late
// (a stall, then a burst) bends them. The exponential's mean is estimated from the data
// (Stephens' "case 3"), which changes the null distribution: the statistic is corrected for
// small samples and compared with the critical value for that case.
//
// Constants: M. A. Stephens, "EDF Statistics for Goodness of Fit and Some Comparisons",
// JASA 69 (1974) 730-737, Table 1, exponential with estimated scale: A*^2 = A^2 (1 + 0.6/n),
// critical values 0.922 (15%), 1.078 (10%), 1.341 (5%), 1.606 (2.5%), 1.957 (1%); also in
// D'Agostino & Stephens, "Goodness-of-Fit Techniques" (1986), Table 4.11, and what
// scipy.stats.anderson(x, 'expon') uses (it divides the critical values by 1 + 0.6/n instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bench {

struct ExponentialFit {
  std::size_t n = 0;
  double mean = 0;         // the estimated scale
  double a2 = 0;           // A^2, NaN when n < kMinSamples
  double a2_modified = 0;  // A*^2 = A^2 (1 + 0.6 / n)
  bool rejected = false;   // A*^2 > the 5% critical value: not exponential at the 5% level
};

inline constexpr double kAndersonDarlingExpCritical5 = 1.341;
// Stephens' small-sample modification holds from about n = 5; below 8 gaps the test says
// nothing useful about an arrival process anyway.
inline constexpr std::size_t kAndersonDarlingMinSamples = 8;

// Values must be >= 0; a zero gap (or any value the exponential makes impossibly likely to
// be that small) drives A^2 up, as it should: two sends at one instant are not Poisson.
ExponentialFit anderson_darling_exponential(std::span<const double> x);
// Gaps in nanoseconds, as the streams record them.
ExponentialFit anderson_darling_exponential(std::span<const std::uint64_t> gaps_ns);

}  // namespace bench
