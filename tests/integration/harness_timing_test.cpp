// The open loop's timing, in-process against TestHttpServer: it sends at the asked rate,
// and against a server that stalls for a second it shows the stall in full, where a closed
// loop on the same clock hides it (coordinated omission).
#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "client/target.hpp"
#include "harness_test_server.hpp"
#include "load/phase.hpp"

namespace {

using namespace std::chrono_literals;

// Runs one phase to its end on a fresh loop, with a watchdog so a bug cannot hang the test.
class PhaseRun final : public bench::PhaseListener {
 public:
  PhaseRun(int port, const std::vector<bench::StreamSpec>& specs) {
    uv_loop_init(&loop_);
    bench::Target target;
    target.port = port;
    EXPECT_EQ(bench::resolve(target), "");
    bench::PhaseOptions options;
    options.drain_grace_s = 5;
    phase_ = std::make_unique<bench::Phase>(&loop_, target, specs, options,
                                            static_cast<bench::PhaseListener&>(*this));
  }
  ~PhaseRun() {
    phase_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle leaked";
  }

  void run(std::chrono::seconds limit) {
    bench::uvx::Timer watchdog(&loop_, [this] {
      ADD_FAILURE() << "phase did not end in time";
      phase_->interrupt();
    });
    watchdog.start(static_cast<std::uint64_t>(limit.count()) * 1000);
    uv_unref(reinterpret_cast<uv_handle_t*>(watchdog.get()));
    phase_->start();
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

  const bench::Stream& stream(std::size_t i) const { return *phase_->streams()[i]; }
  std::vector<bench::PhaseWindow> windows;
  bool ended = false;
  std::string failure;

 private:
  void phase_window(bench::Phase&, const bench::PhaseWindow& w) override { windows.push_back(w); }
  void phase_ended(bench::Phase&) override { ended = true; }
  void phase_failed(bench::Phase&, const std::string& m) override { failure = m; }

  uv_loop_t loop_{};
  std::unique_ptr<bench::Phase> phase_;
};

bench::StreamSpec open_loop(double rate, double seconds, bool poisson = false) {
  bench::StreamSpec s;
  s.name = "open";
  s.rate = rate;
  s.duration_s = seconds;
  s.poisson = poisson;
  s.conns = 4;
  return s;
}

TEST(OpenLoopTimingTest, AchievedRateIsWithinOnePercentOfTheAskedRate) {
  testsupport::TestHttpServer server;
  PhaseRun run(server.port(), {open_loop(2000, 3)});
  run.run(30s);
  ASSERT_TRUE(run.ended) << run.failure;
  const bench::Stream& s = run.stream(0);
  const auto& st = s.stats();
  const double seconds = static_cast<double>(s.end_ns() - s.start_ns()) / 1e9;
  EXPECT_EQ(st.requests_sent(), 6000u);  // due at start + i/2000 for i = 0..5999
  EXPECT_EQ(st.errors(), 0u) << st.error_classes_text();
  const double achieved = static_cast<double>(st.count()) / seconds;
  EXPECT_NEAR(achieved, 2000, 20) << "completed " << st.count() << " in " << seconds << " s";
  // The actual send times, not just the count, follow the schedule: typically within a
  // millisecond, and over the whole run within 1% (a loaded machine shows up as lateness).
  EXPECT_LT(st.lateness().value_at_quantile(0.5), 1000.0);
  const double send_span = static_cast<double>(st.last_sent_ns() - st.first_sent_ns()) / 1e9;
  EXPECT_NEAR(static_cast<double>(st.requests_sent() - 1) / send_span, 2000, 20);
  std::printf("open loop 2000/s: achieved %.1f/s, client lateness p99 %.3f ms\n", achieved,
              st.lateness().value_at_quantile(0.99) / 1000);
}

TEST(OpenLoopTimingTest, PoissonArrivalsKeepTheMeanRate) {
  testsupport::TestHttpServer server;
  PhaseRun run(server.port(), {open_loop(2000, 2, true)});
  run.run(30s);
  ASSERT_TRUE(run.ended) << run.failure;
  const auto& st = run.stream(0).stats();
  // 4000 expected; the Poisson count's standard deviation is sqrt(4000) = 63 (1.6%).
  EXPECT_NEAR(static_cast<double>(st.requests_sent()), 4000, 200);
  EXPECT_EQ(st.count(), st.requests_sent());
}

TEST(CoordinatedOmissionTest, OpenLoopShowsAOneSecondStallThatTheClosedLoopHides) {
  testsupport::TestHttpServer::Options stall;
  stall.stall_after = 1250ms;  // mid-window: the window (1.5 s, 2 s] lies wholly inside
  stall.stall_for = 1000ms;
  testsupport::TestHttpServer server(stall);
  bench::StreamSpec closed;
  closed.name = "closed";
  closed.conns = 4;
  closed.duration_s = 3;
  PhaseRun run(server.port(), {closed, open_loop(500, 3)});
  run.run(30s);
  ASSERT_TRUE(run.ended) << run.failure;
  ASSERT_NE(server.stall_end_ns(), 0u) << "the server never stalled";
  const double stall_ms =
      static_cast<double>(server.stall_end_ns() - server.stall_start_ns()) / 1e6;

  const auto& open = run.stream(1).stats();
  const auto& shut = run.stream(0).stats();
  EXPECT_EQ(open.errors(), 0u) << open.error_classes_text();
  EXPECT_EQ(shut.errors(), 0u) << shut.error_classes_text();
  // The open loop went on sending through the stall: a third of its requests were due in it.
  EXPECT_NEAR(static_cast<double>(open.count()), 1500, 15);
  const double open_max = static_cast<double>(open.latency().max()) / 1000;
  const double open_p99 = open.latency().value_at_quantile(0.99) / 1000;
  EXPECT_GE(open_max, 0.9 * stall_ms);
  EXPECT_GE(open_p99, 0.8 * stall_ms);
  EXPECT_GE(open.latency().value_at_quantile(0.75) / 1000, 100.0);  // the stall is a third

  // The closed loop sent nothing while stalled: its windows inside the stall are empty, and
  // its p99 barely notices a second in which the server answered nothing.
  double stalled_s = 0, normal_s = 0;
  std::uint64_t stalled_n = 0, normal_n = 0;
  for (const auto& w : run.windows) {
    const std::uint64_t begin = w.end_ns - w.length_ns;
    const double len = static_cast<double>(w.length_ns) / 1e9;
    if (begin >= server.stall_start_ns() && w.end_ns <= server.stall_end_ns()) {
      stalled_s += len;
      stalled_n += w.streams[0].completed;
    } else if (w.end_ns < server.stall_start_ns() || begin > server.stall_end_ns() + 50'000'000) {
      normal_s += len;
      normal_n += w.streams[0].completed;
    }
  }
  ASSERT_GT(stalled_s, 0.4) << "no window fell inside the stall";
  ASSERT_GT(normal_s, 0.4);
  const double stalled_rate = static_cast<double>(stalled_n) / stalled_s;
  const double normal_rate = static_cast<double>(normal_n) / normal_s;
  EXPECT_LE(stalled_rate, 0.01 * normal_rate) << stalled_n << " in the stall";
  const double closed_p99 = shut.latency().value_at_quantile(0.99) / 1000;
  EXPECT_LT(closed_p99, open_p99 / 5);
  std::printf(
      "stall %.0f ms: open loop p99 %.1f ms max %.1f ms; closed loop p99 %.3f ms, "
      "%.0f/s normally, %.0f/s in the stall\n",
      stall_ms, open_p99, open_max, closed_p99, normal_rate, stalled_rate);
}

}  // namespace
