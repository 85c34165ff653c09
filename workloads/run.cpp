// workloads::run: the one entry point every strategy calls, whatever thread or process it is on.
#include <chrono>
#include <string>

#include "fib.hpp"
#include "job.hpp"

namespace workloads {

namespace {

Result run_fib(const Job& job) {
  Result r;
  r.ok = true;
  r.text = "answer is >>> " + std::to_string(fib(job.n)) + "\n";
  return r;
}

}  // namespace

Result run(const Job& job) {
  const auto start = std::chrono::steady_clock::now();
  Result r;
  switch (job.kind) {
    case Kind::fib:
      r = run_fib(job);
      break;
    default:
      r.ok = false;
      r.text = "unknown workload kind " + std::to_string(static_cast<int>(job.kind));
      break;
  }
  r.run_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
  return r;
}

}  // namespace workloads
