// A unit of CPU-heavy work and its result: plain data, free of HTTP, libuv and pools, so the
// same Job can run on the event loop, on a pool thread or in a worker process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace workloads {

enum class Kind : std::uint8_t { fib = 1, gpg = 2 };

struct Job {
  Kind kind = Kind::fib;
  std::uint32_t n = 0;      // fib: the argument
  std::uint32_t bytes = 0;  // gpg: payload size to decrypt
  bool corrupt = false;     // gpg, test-only: decrypt a damaged copy (must fail)
};

struct Result {
  bool ok = false;
  std::string text;             // the answer line when ok, else a one-line reason
  std::uint64_t run_us = 0;     // time spent running the job itself
  std::uint64_t engine_us = 0;  // gpg: time inside GPGME's decrypt (gpg spawn + agent + bulk)
};

// Runs the job on the calling thread. Never throws: failures come back as !ok.
Result run(const Job& job);

namespace gpg {
class Workload;
}

// The gpg workload this process decrypts with. Install it once, before any job runs (before
// the pool threads exist, or first thing in a worker process); null uninstalls.
void install_gpg_workload(gpg::Workload* workload);

// Which worker the calling thread is (its GnuPG home when there is one per worker). Threads
// that never set it are worker 0.
void set_worker_slot(std::size_t slot);

}  // namespace workloads
