// Shutdown while a job holds the event loop itself (inline): the loop cannot hear the signal,
// so only the server's watchdog thread bounds the shutdown. fib(60) runs for hours: without the
// watchdog these tests would wait for their 15 s limit and fail.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "raw_http.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::get_request;
using testsupport::RawConnection;
using testsupport::ServerProcess;

std::unique_ptr<ServerProcess> start_inline(const std::string& drain_timeout) {
  return std::make_unique<ServerProcess>(
      OFFLOAD_SERVER, std::vector<std::string>{"--strategy", "inline", "--port", "0", "--fib", "20",
                                               "--max-n", "60", "--drain-timeout", drain_timeout});
}

// CPU time (clock ticks) of the process's main thread, which runs the event loop; -1 if gone.
long loop_thread_ticks(pid_t pid) {
  const std::string p = std::to_string(pid);
  std::ifstream in("/proc/" + p + "/task/" + p + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

// Sends /?n=60 and waits until the loop thread has burnt a third of a second on it: an idle
// loop uses next to nothing, so the job is running and the loop is held.
void hold_the_loop(const ServerProcess& server, RawConnection& client) {
  const long ticks_per_s = sysconf(_SC_CLK_TCK);
  const long before = loop_thread_ticks(server.pid());
  ASSERT_GE(before, 0);
  ASSERT_TRUE(client.send(get_request("/?n=60")));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (loop_thread_ticks(server.pid()) - before < ticks_per_s / 3) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the job never held the loop";
    std::this_thread::sleep_for(10ms);
  }
}

void expect_clean_exit(const std::optional<int>& status, const ServerProcess& server) {
  ASSERT_TRUE(status) << "the server did not exit while a job held its loop\n"
                      << server.stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  const std::string log = server.stderr_text();
  EXPECT_NE(log.find("abandoned the job running on the event loop (inline: fib(60))"),
            std::string::npos)
      << log;
}

TEST(InlineShutdown, AJobHoldingTheLoopIsAbandonedAfterTheDrainTimeout) {
  auto server = start_inline("0.3");
  RawConnection client(server->port());
  hold_the_loop(*server, client);
  // Generous against a busy machine; the server leaves about 1.3 s after the signal.
  expect_clean_exit(server->stop(SIGTERM, 15s), *server);
}

TEST(InlineShutdown, ASecondSignalEndsItAtOnce) {
  auto server = start_inline("120");
  RawConnection client(server->port());
  hold_the_loop(*server, client);
  ASSERT_EQ(kill(server->pid(), SIGTERM), 0);
  // The first signal waits for the drain timeout (120 s): the server is still there.
  pollfd p{client.fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 500), 0) << "the first signal must not end the server before its time";
  EXPECT_TRUE(testsupport::process_alive(server->pid()));
  expect_clean_exit(server->stop(SIGTERM, 15s), *server);
}

// The watchdog must stand aside when the loop is free: an idle server leaves by itself, with
// no word of abandoning anything.
TEST(InlineShutdown, AnIdleServerLeavesWithoutTheWatchdog) {
  auto server = start_inline("0.3");
  const auto status = server->stop(SIGTERM, 15s);
  ASSERT_TRUE(status) << server->stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  EXPECT_EQ(server->stderr_text().find("abandoned"), std::string::npos) << server->stderr_text();
}

}  // namespace
