// fib: the seed's values, agreement with the linear reference, the 64-bit range, and fib as a
// workload (its answer, its settings).
#include <gtest/gtest.h>

#include <type_traits>

#include "fib.hpp"
#include "workload_registry.hpp"

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

TEST(FibWorkload, RunAnswersLikeTheOriginal) {
  const auto fib = workloads::make_workload("fib");
  ASSERT_NE(fib, nullptr);
  workloads::Job job;
  ASSERT_EQ(fib->parse("n=20", &job), "");
  const auto worker = fib->make_worker(0);
  const auto result = workloads::run(*worker, *job);
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.text, "answer is >>> 6765\n");
}

TEST(FibWorkload, TheDefaultComesFromTheFibSetting) {
  const auto fib = workloads::make_workload("fib");
  ASSERT_EQ(fib->configure({{"fib", "21"}, {"max-n", "30"}}), "");
  workloads::Job job;
  ASSERT_EQ(fib->parse("", &job), "");
  EXPECT_EQ(job->describe(), "fib(21)");
  EXPECT_EQ(fib->ready_fields(), " fib=21");
  EXPECT_NE(fib->parse("n=31", &job), "") << "max-n bounds ?n=";
  EXPECT_NE(fib->configure({{"fib", "0"}}), "");
}

}  // namespace
