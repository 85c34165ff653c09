// fib: the seed's values, agreement with the linear reference, and the 64-bit range.
#include <gtest/gtest.h>

#include <type_traits>

#include "fib.hpp"
#include "job.hpp"

namespace {

TEST(Fib, SeedValues) {
  EXPECT_EQ(workloads::fib(1), 1u);
  EXPECT_EQ(workloads::fib(2), 1u);
  EXPECT_EQ(workloads::fib(3), 2u);
  EXPECT_EQ(workloads::fib(20), 6765u);
}

TEST(Fib, NaiveMatchesReference) {
  for (std::uint32_t n = 1; n <= 32; ++n)
    EXPECT_EQ(workloads::fib(n), workloads::fib_reference(n)) << n;
}

TEST(Fib, Fib50AndTheLargestFitInSixtyFourBits) {
  static_assert(std::is_same_v<decltype(workloads::fib(1)), std::uint64_t>);
  EXPECT_EQ(workloads::fib_reference(50), 12586269025ull);
  // fib(93) is the last value below 2^64; fib(92) + fib(93) would wrap.
  EXPECT_EQ(workloads::fib_reference(workloads::kFibMaxFits), 12200160415121876738ull);
  EXPECT_LT(workloads::fib_reference(92), workloads::fib_reference(93));
}

TEST(Workload, RunAnswersLikeTheOriginal) {
  workloads::Job job;
  job.n = 20;
  const auto result = workloads::run(job);
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.text, "answer is >>> 6765\n");
}

TEST(Workload, UnknownKindIsAFailureNotACrash) {
  workloads::Job job;
  job.kind = static_cast<workloads::Kind>(200);
  const auto result = workloads::run(job);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.text.find("unknown workload"), std::string::npos);
}

}  // namespace
