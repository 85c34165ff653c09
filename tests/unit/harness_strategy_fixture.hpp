// The strategy list an experiment gets from `offload-server --list-strategies --json`, as a
// fixture: the server's one line of JSON, read the way the harness reads the real answer.
#pragma once

#include <gtest/gtest.h>

#include "experiment/strategies.hpp"

namespace testfixture {

inline constexpr const char* kStrategyListJson =
    R"({"strategies":[)"
    R"({"name":"inline","description":"on the event loop itself: every cheap request waits )"
    R"(behind every job","workload_in_server":true,"knobs":[]},)"
    R"({"name":"thread","description":"on a oneTBB thread pool; results come back to the loop )"
    R"(through a mailbox","workload_in_server":true,"knobs":["workers","max-queue",)"
    R"("job-timeout","worker-nice","worker-policy","worker-cpus"]},)"
    R"({"name":"process","description":"on a pool of worker processes, jobs framed over their )"
    R"(pipes","workload_in_server":false,"knobs":["workers","max-queue","job-timeout",)"
    R"("worker-nice","worker-policy","worker-cpus","min-workers","max-workers",)"
    R"("worker-idle-timeout","max-jobs-per-worker"]},)"
    R"({"name":"uvpool","description":"on libuv's own thread pool (uv_queue_work), what )"
    R"(Node.js gives by default","workload_in_server":true,"knobs":["workers","max-queue",)"
    R"("job-timeout","worker-nice","worker-policy","worker-cpus"]}]})";

inline bench::StrategyRegistry strategies() {
  bench::StrategyRegistry r;
  const std::string err = bench::parse_strategy_list(kStrategyListJson, r);
  EXPECT_EQ(err, "");
  return r;
}

}  // namespace testfixture
