// The fib workload's query (GET /?n=K): K accepted in 1..max, everything else refused with a
// reason.
#include <gtest/gtest.h>

#include "fib_workload.hpp"

namespace {

TEST(FibQuery, DefaultWhenAbsentAndOtherParametersIgnored) {
  unsigned n = 30;
  EXPECT_EQ(workloads::parse_fib_query("", 45, n), "");
  EXPECT_EQ(n, 30u);
  EXPECT_EQ(workloads::parse_fib_query("x=1&y", 45, n), "");
  EXPECT_EQ(n, 30u);
}

TEST(FibQuery, ValidValues) {
  unsigned n = 30;
  EXPECT_EQ(workloads::parse_fib_query("n=1", 45, n), "");
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(workloads::parse_fib_query("a=b&n=45", 45, n), "");
  EXPECT_EQ(n, 45u);
  EXPECT_EQ(workloads::parse_fib_query("n=020", 45, n), "");
  EXPECT_EQ(n, 20u);
}

TEST(FibQuery, InvalidValuesAreRefusedWithTheRange) {
  for (const char* q : {"n=0", "n=46", "n=-1", "n=abc", "n=", "n", "n=+5", "n=5x", "n=1e3",
                        "n=99999999999999999999", "n=%32"}) {
    unsigned n = 30;
    const std::string err = workloads::parse_fib_query(q, 45, n);
    EXPECT_NE(err.find("from 1 to 45"), std::string::npos) << q;
    EXPECT_EQ(n, 30u) << q;
  }
  unsigned n = 30;
  EXPECT_NE(workloads::parse_fib_query("n=5&n=6", 45, n).find("more than once"), std::string::npos);
}

}  // namespace
