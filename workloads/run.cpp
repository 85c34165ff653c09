// workloads::run: the one entry point every strategy calls, whatever thread or process it is on.
#include <chrono>
#include <new>
#include <string>

#include "fib.hpp"
#include "gpg_workload.hpp"
#include "job.hpp"

namespace workloads {

namespace {

gpg::Workload* installed_gpg = nullptr;  // written once before any job runs, then only read
thread_local std::size_t worker_slot = 0;

Result run_fib(const Job& job) {
  Result r;
  r.ok = true;
  r.text = "answer is >>> " + std::to_string(fib(job.n)) + "\n";
  return r;
}

Result run_gpg(const Job& job) {
  if (installed_gpg == nullptr)
    return {false, "the gpg workload is not set up in this process", 0, 0};
  const gpg::Decryption d = installed_gpg->run(job.bytes, worker_slot, job.corrupt);
  return {d.ok, d.text, 0, d.gpgme_us};
}

}  // namespace

void install_gpg_workload(gpg::Workload* workload) {
  installed_gpg = workload;
}

void set_worker_slot(std::size_t slot) {
  worker_slot = slot;
}

Result run(const Job& job) {
  const auto start = std::chrono::steady_clock::now();
  Result r;
  try {
    switch (job.kind) {
      case Kind::fib:
        r = run_fib(job);
        break;
      case Kind::gpg:
        r = run_gpg(job);
        break;
      default:
        r = {false, "unknown workload kind " + std::to_string(static_cast<int>(job.kind)), 0, 0};
        break;
    }
  } catch (const std::bad_alloc&) {
    r = {false, "out of memory", 0, 0};
  }
  r.run_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
  return r;
}

}  // namespace workloads
