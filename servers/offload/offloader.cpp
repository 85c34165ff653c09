// The one place that picks a strategy: everything else holds an Offloader.
#include "offloader.hpp"

namespace offload {

std::string describe(const workloads::Job& job) {
  switch (job.kind) {
    case workloads::Kind::fib:
      return "fib(" + std::to_string(job.n) + ")";
    case workloads::Kind::gpg:
      return "gpg decrypt of " + std::to_string(job.bytes) + " bytes";
  }
  return "job of kind " + std::to_string(static_cast<int>(job.kind));
}

JobOutcome timed_out_outcome(std::uint64_t job_timeout_ms) {
  return {
      JobStatus::timed_out,
      {false, "job took longer than the job timeout (" + std::to_string(job_timeout_ms) + " ms)", 0,
       0},
      {}};
}

std::unique_ptr<Offloader> make_offloader(uv_loop_t* loop, const PoolConfig& config) {
  if (config.strategy == "thread") return make_thread_offloader(loop, config);
  if (config.strategy == "process") return make_process_offloader(loop, config);
  if (config.strategy == "uvpool") return make_uvpool_offloader(loop, config);
  return make_inline_offloader(loop);
}

}  // namespace offload
