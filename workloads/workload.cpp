// workloads::run: the one call every pool makes, whatever thread or process it is on.
#include "workload.hpp"

#include <chrono>
#include <new>

namespace workloads {

Result run(Worker& worker, const Params& job) noexcept {
  const auto start = std::chrono::steady_clock::now();
  Result r;
  try {
    r = worker.run(job);
  } catch (const std::bad_alloc&) {
    r = {false, "out of memory", 0, 0};
  } catch (const std::exception& e) {
    // A workload's bug must not take a pool thread (or the loop) down with it.
    r = {false, std::string("job failed: ") + e.what(), 0, 0};
  } catch (...) {
    r = {false, "job failed", 0, 0};
  }
  r.run_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
  return r;
}

}  // namespace workloads
