// One process-pool worker: a blocking read-run-write loop. It ends when its stdin ends (the
// server retired it or exited) or its parent dies (PR_SET_PDEATHSIG), so no worker outlives
// the server.
#include "worker.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "gpg_init.hpp"
#include "gpg_workload.hpp"
#include "sched_knobs.hpp"
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

// Test hook for the parent's protocol-error paths: OFFLOAD_TEST_WORKER_FAULT=KIND:N makes the
// worker misbehave on the job fib(N) only. "cut": half of the result frame, then exit (a
// worker dying mid-frame); "garbage": a frame no result can be (zero length), then carry on.
struct Fault {
  std::string kind;
  std::uint32_t n = 0;
};

Fault fault_from_environment() {
  Fault f;
  const char* spec = std::getenv("OFFLOAD_TEST_WORKER_FAULT");
  if (spec == nullptr) return f;
  const std::string text = spec;
  const auto colon = text.find(':');
  if (colon == std::string::npos) return f;
  f.kind = text.substr(0, colon);
  f.n = static_cast<std::uint32_t>(std::strtoul(text.c_str() + colon + 1, nullptr, 10));
  return f;
}

// False when the worker must exit.
bool send_result(int fd, const wire::ResultMessage& result, const workloads::Job& job,
                 const Fault& fault) {
  std::string bytes = wire::encode(result);
  if (!fault.kind.empty() && job.kind == workloads::Kind::fib && job.n == fault.n) {
    if (fault.kind == "cut") {
      write_all(fd, bytes.substr(0, bytes.size() / 2));
      return false;
    }
    if (fault.kind == "garbage") return write_all(fd, std::string(4, '\0'));
  }
  return write_all(fd, bytes);
}

}  // namespace

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

  pid_t parent = 0;
  std::size_t slot = 0;
  workloads::gpg::WorkloadConfig gpg;
  std::size_t payload_bytes = 0;
  SchedKnobs knobs;
  for (int i = 0; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--parent-pid") {
      parent = static_cast<pid_t>(std::atol(value.c_str()));
    } else if (flag == "--slot") {
      slot = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--gpg-home") {
      gpg.homes.push_back(value);
    } else if (flag == "--gpg-fingerprint") {
      gpg.fingerprint = value;
    } else if (flag == "--payload-bytes") {
      payload_bytes = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--nice") {
      knobs.nice = std::atoi(value.c_str());
    } else if (flag == "--policy") {
      knobs.policy = value;
    } else if (flag == "--cpus") {
      parse_cpu_list(value, knobs.cpus);
    }
  }
  if (parent != 0 && getppid() != parent)
    return 1;  // the parent died before the death signal was armed
  workloads::set_worker_slot(slot);
  // Before any gpg is spawned: the gpg processes inherit this process's scheduling.
  if (std::string err = apply_to_this_thread(knobs); !err.empty())
    std::fprintf(stderr, "offload-worker %d: %s\n", getpid(), err.c_str());

  // The gpg workload: this process's own GPGME contexts and ciphertexts, on the GnuPG home the
  // server made for this slot. The server owns (and removes) the homes.
  std::unique_ptr<workloads::gpg::Workload> workload;
  if (!gpg.homes.empty()) {
    if (const std::string err = workloads::gpg::init_gpg_library(); !err.empty()) {
      std::fprintf(stderr, "offload-worker %d: %s\n", getpid(), err.c_str());
      return 1;
    }
    workload = std::make_unique<workloads::gpg::Workload>(gpg);
    if (payload_bytes > 0) {
      if (const std::string err = workload->prepare(payload_bytes); !err.empty())
        std::fprintf(stderr, "offload-worker %d: %s\n", getpid(), err.c_str());
    }
    workloads::install_gpg_workload(workload.get());
  }

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
      wire::JobMessage job;
      if (status == wire::FrameReader::Status::error || !wire::decode(payload, job)) {
        std::fprintf(stderr, "offload-worker %d: protocol error, exiting\n", getpid());
        return 1;
      }
      wire::ResultMessage result;
      result.id = job.id;
      const std::uint64_t started_ns = uv_hrtime();
      result.result = workloads::run(job.job);
      result.service_ns = uv_hrtime() - started_ns;
      result.wait_ns = started_ns - read_ns;
      if (!send_result(results, result, job.job, fault)) return 1;
    }
  }
}

}  // namespace offload
