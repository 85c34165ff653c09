// The thread pools' figures: a job is queued from acceptance until a worker starts it and
// running until it ends there, never after, whether or not its answer has reached the loop.
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <thread>

#include "strategy_registry.hpp"
#include "workload_registry.hpp"

namespace {

using namespace std::chrono_literals;

// Every strategy whose workers are threads of this process.
class PoolStats : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(ThreadPools, PoolStats,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return s.workload_in_server && !s.runs_on_loop() &&
                                  s.runs_any_workload();
                         })),
                         [](const auto& info) { return info.param; });

TEST_P(PoolStats, FinishedJobsAwaitingTheLoopAreNeitherQueuedNorRunningNorHoldAPlace) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  const auto fib = workloads::make_workload("fib");
  workloads::Job job;
  ASSERT_EQ(fib->parse("n=20", &job), "");
  offload::OffloadSetup setup;
  setup.loop = &loop;
  setup.workload = fib.get();
  setup.pool.workers = 2;
  setup.pool.max_queue = 0;
  auto pool = offload::find_strategy(GetParam())->make(setup);
  int answered = 0;
  const auto submit = [&] {
    return pool->submit(
        job, [&](offload::JobOutcome outcome) { answered += outcome.result.ok ? 1 : 0; });
  };
  ASSERT_EQ(submit(), offload::Admission::accepted);
  ASSERT_EQ(submit(), offload::Admission::accepted);
  // The loop does not run: both jobs end on their threads, their answers wait for the loop.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (pool->stats().running + pool->stats().queued > 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(pool->stats().queued, 0u);
  EXPECT_EQ(pool->stats().running, 0u);
  EXPECT_EQ(answered, 0) << "answers are delivered on the loop only";
  // Both threads are free again, though their answers are not delivered yet.
  EXPECT_EQ(submit(), offload::Admission::accepted);
  while (answered < 3 && std::chrono::steady_clock::now() < deadline) {
    uv_run(&loop, UV_RUN_NOWAIT);
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(answered, 3);
  bool stopped = false;
  pool->stop([&] { stopped = true; });
  while (!stopped && std::chrono::steady_clock::now() < deadline) {
    uv_run(&loop, UV_RUN_NOWAIT);
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(stopped);
  pool.reset();
  uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
