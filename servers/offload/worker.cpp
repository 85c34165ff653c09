// One process-pool worker: a blocking read-run-write loop. It ends when its stdin ends (the
// server retired it or exited) or its parent dies (PR_SET_PDEATHSIG), so no worker outlives
// the server, and it ignores SIGINT so a Ctrl-C in the terminal lets the server drain first.
#include "worker.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "wire.hpp"

namespace offload {

namespace {

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int run_worker(int argc, char** argv) {
  signal(SIGINT, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Test hook: a worker that dies on start, to check the pool backs off instead of fork-looping.
  if (const char* fail = std::getenv("OFFLOAD_TEST_WORKER_EXIT_AT_START");
      fail != nullptr && *fail == '1')
    return 3;
  if (argc == 2 && std::strcmp(argv[0], "--parent-pid") == 0 &&
      getppid() != static_cast<pid_t>(std::atol(argv[1])))
    return 1;  // the parent died before the death signal was armed

  // The protocol gets a private copy of stdout; fd 1 becomes stderr, so a stray print in a
  // workload (or a library) lands in the log instead of corrupting a frame.
  const int results = dup(STDOUT_FILENO);
  if (results < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return 1;

  wire::FrameReader reader;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return 0;  // retired
    if (n < 0) return 1;
    reader.feed(buffer, static_cast<std::size_t>(n));
    std::string_view payload;
    for (;;) {
      const auto status = reader.next(payload);
      if (status == wire::FrameReader::Status::need_more) break;
      wire::JobMessage job;
      if (status == wire::FrameReader::Status::error || !wire::decode(payload, job)) {
        std::fprintf(stderr, "offload-worker %d: protocol error, exiting\n", getpid());
        return 1;
      }
      const wire::ResultMessage result{job.id, workloads::run(job.job)};
      if (!write_all(results, wire::encode(result))) return 1;
    }
  }
}

}  // namespace offload
