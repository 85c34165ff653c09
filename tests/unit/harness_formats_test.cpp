// The harness's output formats: HdrHistogram's .hgrm spectrum, CSV cells, JSON strings.
#include <gtest/gtest.h>

#include <sstream>

#include "experiment/csv.hpp"
#include "experiment/json.hpp"
#include "stats/hgrm.hpp"

namespace {

TEST(HgrmTest, SpectrumHasHdrHistogramsLayout) {
  bench::Histogram h;
  for (std::uint64_t v = 1; v <= 10'000; ++v) h.record(v * 10);  // 10 µs .. 100 ms
  const std::string text = bench::to_hgrm(h);
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("Value"), std::string::npos);
  EXPECT_NE(line.find("1/(1-Percentile)"), std::string::npos);
  std::getline(in, line);
  EXPECT_TRUE(line.empty());
  double last_value = -1, last_percentile = -1, tail_percentile = 0;
  unsigned long long last_count = 0;
  int rows = 0;
  while (std::getline(in, line) && line[0] != '#') {
    std::istringstream row(line);
    double value = 0, percentile = 0;
    unsigned long long count = 0;
    std::string inverse;
    ASSERT_TRUE(row >> value >> percentile >> count >> inverse) << line;
    EXPECT_GE(value, last_value);
    EXPECT_GE(percentile, last_percentile);
    EXPECT_GE(count, last_count);
    last_value = value;
    last_percentile = percentile;
    if (percentile < 1.0) tail_percentile = percentile;
    last_count = count;
    ++rows;
  }
  EXPECT_GT(rows, 40);  // dense towards the tail: 10 lines per halving of 1 - percentile
  EXPECT_GE(tail_percentile, 0.99);  // levels reach far into the tail before the 100% line
  EXPECT_DOUBLE_EQ(last_percentile, 1.0);
  EXPECT_EQ(last_count, 10'000u);
  EXPECT_DOUBLE_EQ(last_value, 100.0);  // ms, the exact maximum
  EXPECT_NE(text.find("#[Mean    ="), std::string::npos);
  EXPECT_NE(text.find("Total count    =        10000]"), std::string::npos);
  EXPECT_NE(text.find("#[Buckets ="), std::string::npos);
}

TEST(HgrmTest, EmptyHistogramStillHasHeaderAndFooter) {
  const std::string text = bench::to_hgrm(bench::Histogram());
  EXPECT_NE(text.find("Value"), std::string::npos);
  EXPECT_NE(text.find("Total count    =            0]"), std::string::npos);
}

TEST(CsvRowTest, QuotesOnlyWhenNeededAndLeavesNaNEmpty) {
  bench::CsvRow row;
  row.text("plain")
      .text("a,b")
      .text("say \"hi\"")
      .integer(42)
      .number(1.23456, 3)
      .number(std::numeric_limits<double>::quiet_NaN(), 3)
      .empty()
      .text("heavy+probe");
  EXPECT_EQ(row.line(), "plain,\"a,b\",\"say \"\"hi\"\"\",42,1.235,,,heavy+probe\n");
}

TEST(JsonTest, EscapesAndBuildsObjects) {
  EXPECT_EQ(bench::json::string("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(bench::json::number(std::numeric_limits<double>::infinity()), "null");
  const std::string o = bench::json::Object()
                            .str("status", "complete")
                            .integer("cores", 2)
                            .num("job_cost_ms", 3.5)
                            .raw("list", bench::json::array({"1", "2"}))
                            .text();
  EXPECT_EQ(o, "{\"status\": \"complete\", \"cores\": 2, \"job_cost_ms\": 3.5, \"list\": [1, 2]}");
}

}  // namespace
