// A unit of CPU-heavy work and its result: plain data, free of HTTP, libuv and pools, so the
// same Job can run on the event loop, on a pool thread or in a worker process.
#pragma once

#include <cstdint>
#include <string>

namespace workloads {

enum class Kind : std::uint8_t { fib = 1 };

struct Job {
  Kind kind = Kind::fib;
  std::uint32_t n = 0;  // fib: the argument
};

struct Result {
  bool ok = false;
  std::string text;          // the answer line when ok, else a one-line reason
  std::uint64_t run_us = 0;  // time spent running the job itself
};

// Runs the job on the calling thread. Never throws: failures come back as !ok.
Result run(const Job& job);

}  // namespace workloads
