// Student-t quantiles and the t interval of a mean, against published table values and
// closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "stats/t_interval.hpp"

namespace {

using bench::mean_interval;
using bench::student_t_quantile;

// Two-sided 95% (p = 0.975) and 99% (p = 0.995) critical values, from the NIST/SEMATECH
// e-Handbook of Statistical Methods, section 1.3.6.7.2 "Critical Values of the Student's t
// Distribution" (three decimals; checked here to half a unit in the last place).
TEST(StudentTTest, QuantilesMatchThePublishedTable) {
  struct Row {
    double df, p, t;
  };
  const Row table[] = {
      {1, 0.975, 12.706}, {2, 0.975, 4.303},   {3, 0.975, 3.182},  {4, 0.975, 2.776},
      {5, 0.975, 2.571},  {6, 0.975, 2.447},   {7, 0.975, 2.365},  {8, 0.975, 2.306},
      {9, 0.975, 2.262},  {10, 0.975, 2.228},  {20, 0.975, 2.086}, {30, 0.975, 2.042},
      {60, 0.975, 2.000}, {100, 0.975, 1.984}, {1, 0.995, 63.657}, {5, 0.995, 4.032},
      {10, 0.995, 3.169}, {30, 0.995, 2.750},  {10, 0.95, 1.812},  {100, 0.95, 1.660},
  };
  for (const Row& r : table)
    EXPECT_NEAR(student_t_quantile(r.p, r.df), r.t, 0.0005) << "df " << r.df << " p " << r.p;
}

TEST(StudentTTest, QuantilesMatchTheClosedForms) {
  // df = 1 is the Cauchy distribution: t = tan(pi (p - 1/2)). df = 2: t = (2p - 1) /
  // sqrt(2 p (1 - p)).
  for (double p : {0.6, 0.9, 0.975, 0.999}) {
    EXPECT_NEAR(student_t_quantile(p, 1), std::tan(std::numbers::pi * (p - 0.5)), 1e-7) << p;
    EXPECT_NEAR(student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-8) << p;
  }
  EXPECT_NEAR(student_t_quantile(0.025, 4), -2.776, 0.0005);    // symmetric
  EXPECT_NEAR(student_t_quantile(0.975, 1e7), 1.959964, 1e-5);  // the normal's, large df
}

TEST(MeanIntervalTest, OneToFiveByHand) {
  // mean 3, s = sqrt(10 / 4) = 1.5811, s / sqrt(5) = 0.70711, t(0.975, 4) = 2.7764:
  // half width 1.9632.
  const std::vector<double> v = {1, 2, 3, 4, 5};
  const auto ci = mean_interval(v);
  EXPECT_EQ(ci.n, 5u);
  EXPECT_DOUBLE_EQ(ci.mean, 3);
  EXPECT_NEAR(ci.half_width, 1.9632, 0.0005);
  EXPECT_NEAR(ci.lo, 1.0368, 0.0005);
  EXPECT_NEAR(ci.hi, 4.9632, 0.0005);
}

TEST(MeanIntervalTest, TwoRepeatsUseTheWideDfOneQuantile) {
  // 10 and 12: mean 11, s = sqrt(2), s / sqrt(2) = 1, t(0.975, 1) = 12.706.
  const auto ci = mean_interval(std::vector<double>{10, 12});
  EXPECT_NEAR(ci.half_width, 12.706, 0.0005);
}

TEST(MeanIntervalTest, OneValueHasNoInterval) {
  const auto ci = mean_interval(std::vector<double>{4});
  EXPECT_DOUBLE_EQ(ci.mean, 4);
  EXPECT_TRUE(std::isnan(ci.half_width));
  EXPECT_TRUE(std::isnan(mean_interval(std::vector<double>{}).mean));
}

}  // namespace
