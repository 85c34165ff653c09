// One process-pool worker: a blocking read-run-write loop. It ends when its stdin ends (the
// server retired it or exited) or its parent dies (PR_SET_PDEATHSIG), so no worker outlives
// the server. The workload is rebuilt here from the arguments it gave the pool; this file
// knows no workload by name.
#include "process_worker.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "wire.hpp"
#include "workload_registry.hpp"

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

// Test hook for the parent's protocol-error paths: OFFLOAD_TEST_WORKER_FAULT=KIND:JOB makes the
// worker misbehave on the job its workload describes as JOB (e.g. "cut:fib(13)") only. "cut":
// half of the result frame, then exit (a worker dying mid-frame); "garbage": a frame no result
// can be (zero length), then carry on.
struct Fault {
  std::string kind;
  std::string job;
};

Fault fault_from_environment() {
  Fault f;
  const char* spec = std::getenv("OFFLOAD_TEST_WORKER_FAULT");
  if (spec == nullptr) return f;
  const std::string text = spec;
  const auto colon = text.find(':');
  if (colon == std::string::npos) return f;
  f.kind = text.substr(0, colon);
  f.job = text.substr(colon + 1);
  return f;
}

// False when the worker must exit.
bool send_result(int fd, const wire::ResultMessage& result, const workloads::Params& job,
                 const Fault& fault) {
  std::string bytes = wire::encode(result);
  if (!fault.kind.empty() && job.describe() == fault.job) {
    if (fault.kind == "cut") {
      write_all(fd, bytes.substr(0, bytes.size() / 2));
      return false;
    }
    if (fault.kind == "garbage") return write_all(fd, std::string(4, '\0'));
  }
  return write_all(fd, bytes);
}

void log(const std::string& line) {
  std::fprintf(stderr, "offload-worker %d: %s\n", getpid(), line.c_str());
}

}  // namespace

std::vector<std::string> worker_arguments(const WorkerArguments& a) {
  std::vector<std::string> out = {"--parent-pid", std::to_string(a.parent), "--slot",
                                  std::to_string(a.slot)};
  if (a.knobs.any())
    out.insert(out.end(), {"--nice", std::to_string(a.knobs.nice), "--policy", a.knobs.policy,
                           "--cpus", format_cpu_list(a.knobs.cpus)});
  out.insert(out.end(), {"--workload", a.workload, "--"});
  out.insert(out.end(), a.workload_args.begin(), a.workload_args.end());
  return out;
}

int run_worker(int argc, char** argv) {
  // A Ctrl-C (SIGINT) or a service manager's SIGTERM reaches the whole process group: the
  // server must drain first, with its workers still there. A worker ends when its stdin ends
  // (the server retires it, or is gone) or, at the latest, with its parent (PDEATHSIG).
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Test hook: a worker that dies on start, to check the pool backs off instead of fork-looping.
  if (const char* fail = std::getenv("OFFLOAD_TEST_WORKER_EXIT_AT_START");
      fail != nullptr && *fail == '1')
    return 3;

  WorkerArguments args;
  int i = 0;
  for (; i + 1 < argc && std::string(argv[i]) != "--"; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--parent-pid") {
      args.parent = static_cast<pid_t>(std::atol(value.c_str()));
    } else if (flag == "--slot") {
      args.slot = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--nice") {
      args.knobs.nice = std::atoi(value.c_str());
    } else if (flag == "--policy") {
      args.knobs.policy = value;
    } else if (flag == "--cpus") {
      parse_cpu_list(value, args.knobs.cpus);
    } else if (flag == "--workload") {
      args.workload = value;
    }
  }
  if (i < argc && std::string(argv[i]) == "--")
    args.workload_args.assign(argv + i + 1, argv + argc);
  if (args.parent != 0 && getppid() != args.parent)
    return 1;  // the parent died before the death signal was armed
  // Before the workload starts anything (gpg processes inherit this process's scheduling).
  if (std::string err = apply_to_this_thread(args.knobs); !err.empty()) log(err);

  std::unique_ptr<workloads::Workload> workload = workloads::make_workload(args.workload);
  if (!workload) {
    log("unknown workload '" + args.workload + "'");
    return 1;
  }
  if (std::string err = workload->start_worker(args.workload_args, log); !err.empty()) {
    log(err);
    return 1;
  }
  const std::unique_ptr<workloads::Worker> worker = workload->make_worker(args.slot);

  // The protocol gets a private copy of stdout; fd 1 becomes stderr, so a stray print in a
  // workload (or a library) lands in the log instead of corrupting a frame.
  const int results = dup(STDOUT_FILENO);
  if (results < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return 1;

  const Fault fault = fault_from_environment();
  wire::FrameReader reader;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    const std::uint64_t read_ns = uv_hrtime();
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return 0;  // retired
    if (n < 0) return 1;
    reader.feed(buffer, static_cast<std::size_t>(n));
    std::string_view payload;
    for (;;) {
      const auto status = reader.next(payload);
      if (status == wire::FrameReader::Status::need_more) break;
      wire::JobMessage message;
      workloads::Job job;
      if (status == wire::FrameReader::Status::error || !wire::decode(payload, message) ||
          !(job = wire::job_of(message, *workload))) {
        log("protocol error, exiting");
        return 1;
      }
      wire::ResultMessage result;
      result.id = message.id;
      const std::uint64_t started_ns = uv_hrtime();
      result.result = workloads::run(*worker, *job);
      result.service_ns = uv_hrtime() - started_ns;
      result.wait_ns = started_ns - read_ns;
      if (!send_result(results, result, *job, fault)) return 1;
    }
  }
}

}  // namespace offload
