// Student-t confidence interval of a mean from n values (the repeats of one configuration):
// mean +- t(1 - alpha/2, n - 1) s / sqrt(n), s the sample standard deviation. The quantile
// is computed (the t CDF from the regularized incomplete beta function, inverted by
// bisection), not read from a table, so any confidence and any n work.
#pragma once

#include <cstddef>
#include <span>

namespace bench {

struct MeanInterval {
  std::size_t n = 0;
  double mean = 0;        // NaN when n == 0
  double half_width = 0;  // NaN when n < 2: one value says nothing of its spread
  double lo = 0;
  double hi = 0;
};

// P(T <= t) for Student's t with df > 0 degrees of freedom.
double student_t_cdf(double t, double df);
// The t with P(T <= t) = p, for 0 < p < 1 (accurate to about 1e-9 relative).
double student_t_quantile(double p, double df);

MeanInterval mean_interval(std::span<const double> values, double confidence = 0.95);

}  // namespace bench
