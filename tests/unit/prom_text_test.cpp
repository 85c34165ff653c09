// The Prometheus text pieces /metrics is written with: label values escaped (and made UTF-8),
// the fixed-window maximum, and the application's use of both.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "metrics.hpp"
#include "prom_text.hpp"

namespace {

using offload::prom::escape_label_value;
using offload::prom::WindowMax;

TEST(PromText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("plain-1.2_x"), "plain-1.2_x");
  EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
  EXPECT_EQ(escape_label_value("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_label_value("a\nb"), "a\\nb");
  EXPECT_EQ(escape_label_value("\\\"\n"), "\\\\\\\"\\n");
  EXPECT_EQ(escape_label_value(""), "");
  EXPECT_EQ(offload::prom::label_text({{"a", "1"}, {"b", "x\"y"}}), "a=\"1\",b=\"x\\\"y\"");
  EXPECT_EQ(offload::prom::label_text({}), "");
}

TEST(PromText, LabelValuesKeepUtf8AndReplaceWhatIsNot) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escape_label_value("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");  // 2, 3 and 4 bytes
  EXPECT_EQ(escape_label_value("a\xff"
                               "b"),
            "a" + fffd + "b");
  EXPECT_EQ(escape_label_value("\xC3"), fffd);                                   // cut short
  EXPECT_EQ(escape_label_value("\xC0\xAF"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(escape_label_value("\xED\xA0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(escape_label_value("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(escape_label_value("\xE2\x82"
                               "\""),
            fffd + fffd + "\\\"");  // a quote after a cut sequence is still escaped
}

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kS = 1'000'000'000;

TEST(PromText, WindowMaxCoversTheLastWindowOnly) {
  WindowMax w;
  EXPECT_EQ(w.max_over(kS, 50 * kS), 0);
  const std::uint64_t t0 = 100 * kS;
  w.observe(0.040, t0);  // a 40 ms stall
  w.observe(0.002, t0 + 500 * kMs);
  w.observe(0.001, t0 + 3 * kS);
  EXPECT_DOUBLE_EQ(w.max_over(kS, t0 + 900 * kMs), 0.040);
  EXPECT_DOUBLE_EQ(w.max_over(kS, t0 + 1400 * kMs), 0.002);  // the stall is past 1 s ago
  EXPECT_DOUBLE_EQ(w.max_over(kS, t0 + 3 * kS), 0.001);
  EXPECT_DOUBLE_EQ(w.max_over(10 * kS, t0 + 3 * kS), 0.040);
  EXPECT_DOUBLE_EQ(w.max_over(10 * kS, t0 + 10200 * kMs), 0.002);  // the stall has left 10 s
  EXPECT_DOUBLE_EQ(w.max_over(10 * kS, t0 + 10600 * kMs), 0.001);  // and so has 0.002
  EXPECT_DOUBLE_EQ(w.max_over(10 * kS, t0 + 30 * kS), 0);          // everything has
  // A slot written again after the ring came round starts afresh.
  w.observe(0.003, t0 + 30 * kS);
  EXPECT_DOUBLE_EQ(w.max_over(kS, t0 + 30 * kS), 0.003);
  // A window longer than ten seconds is ten seconds.
  EXPECT_DOUBLE_EQ(w.max_over(60 * kS, t0 + 30 * kS), 0.003);
}

TEST(PromText, WholeNumbersAreWrittenExactly) {
  std::string out;
  offload::prom::sample(out, "c_total", 1234567891.0);
  offload::prom::sample(out, "g", 0.25, "a=\"b\"");
  offload::prom::sample(out, "z", -3);
  offload::prom::sample(out, "t", 1764680000.125);
  offload::prom::sample(out, "p", 0.1);
  EXPECT_EQ(out, "c_total 1234567891\ng{a=\"b\"} 0.25\nz -3\nt 1764680000.125\np 0.1\n");
  EXPECT_EQ(offload::prom::format_value(1.0 / 3), "0.33333333333333331");  // 17 digits, exact
  EXPECT_EQ(offload::prom::format_value(std::nan("")), "NaN");
  EXPECT_EQ(offload::prom::format_value(-1.0 / 0.0), "-Inf");
}

TEST(PromText, WindowMaxReadsTheSameForEveryReader) {
  WindowMax w;
  w.observe(0.010, 5 * kS);
  for (int reader = 0; reader < 3; ++reader) EXPECT_DOUBLE_EQ(w.max_over(kS, 5 * kS + kMs), 0.010);
}

app::ServerFacts facts() {
  app::ServerFacts f;
  f.strategy = "process";
  f.workers = 2;
  f.workload = "gpg";
  f.workload_labels = {{"gpg_key", "we\"ird\\key"}};
  f.knob_labels = {{"worker_policy", "idle"}};
  f.knobs_refused = "loop-cpu: \"3\" is not allowed\n";
  f.pool.per_worker = {{4242, 0, 1, true, 3, 10}, {4343, 1, 0, false, 0, 7}};
  f.now_ns = 7 * kS;
  return f;
}

TEST(PromText, MetricsShowWorkersBySlotAndEscapeEveryValue) {
  app::Metrics m;
  m.observe_loop_lag(0.025, 6500 * kMs);
  m.observe_loop_lag(0.004, 6900 * kMs);
  m.observe_loop_lag(0.090, 2 * kS);
  const std::string out = m.render(facts());
  const auto has = [&](const std::string& line) {
    return out.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(
      has("offload_info{strategy=\"process\",workers=\"2\",workload=\"gpg\",fib=\"0\","
          "max_queue=\"0\",gpg_key=\"we\\\"ird\\\\key\"} 1"))
      << out;
  EXPECT_TRUE(
      has("offload_knobs{worker_policy=\"idle\",refused=\"loop-cpu: \\\"3\\\" is not "
          "allowed\\n\"} 1"))
      << out;
  EXPECT_TRUE(has("offload_worker_busy{slot=\"0\"} 1")) << out;
  EXPECT_TRUE(has("offload_worker_busy{slot=\"1\"} 0")) << out;
  EXPECT_TRUE(has("offload_worker_jobs_total{slot=\"0\"} 10")) << out;
  EXPECT_TRUE(has("offload_worker_process_jobs{slot=\"0\"} 3")) << out;
  EXPECT_TRUE(has("offload_worker_pid{slot=\"1\"} 4343")) << out;
  EXPECT_TRUE(has("offload_worker_restarts_total{slot=\"0\"} 1")) << out;
  EXPECT_EQ(out.find("pid=\""), std::string::npos) << "no series is labelled by pid";
  // The last second held 25 ms at most; the last ten, the 90 ms stall too.
  EXPECT_TRUE(has("offload_loop_lag_window_max_seconds{window=\"1s\"} 0.025")) << out;
  EXPECT_TRUE(has("offload_loop_lag_window_max_seconds{window=\"10s\"} 0.09")) << out;
  const std::string again = m.render(facts());
  EXPECT_NE(again.find("offload_loop_lag_window_max_seconds{window=\"1s\"} 0.025\n"),
            std::string::npos)
      << "a scrape resets nothing the next one reads";
}

}  // namespace
