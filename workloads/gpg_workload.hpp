// The gpg workload as a worker runs it: "decrypt the payload of N bytes", on whatever thread or
// process the strategy chose. Built from plain strings (home paths, a fingerprint), so a worker
// process can build one from its command line; the homes themselves are owned by a HomeSet in
// the server's main process.
//
// Typical use:
//   server start:   auto homes = HomeSet::create(KeyType::cv25519, HomeMode::shared, W, &err);
//                   Workload workload({homes->paths(), homes->fingerprint()});
//                   workload.prepare(payload_bytes);          // first request not slower
//   any thread:     Decryption d = workload.run(bytes, worker_index);
//   worker process: Workload workload({{home_path_from_argv}, fingerprint_from_argv});
//   shutdown:       stop workers, then homes->remove()        // agents stopped, dirs gone
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gpg_ciphertext_cache.hpp"
#include "gpg_decrypt.hpp"

namespace workloads::gpg {

struct WorkloadConfig {
  std::vector<std::string> homes;  // slot i decrypts in homes[i % homes.size()]; at least one
  std::string fingerprint;         // the key every ciphertext is encrypted to
  std::size_t max_cached_sizes = 8;
};

class Workload {
 public:
  explicit Workload(WorkloadConfig config);

  // Encrypts the payload of `bytes` now instead of on the first run(). "" or a one-line reason.
  std::string prepare(std::size_t bytes);

  // Decrypts the cached ciphertext of the `bytes` payload with the calling thread's context on
  // the home of `slot` (a worker index: tbb::this_task_arena::current_thread_index(), 0 inline
  // and in a worker process). `corrupt` decrypts a damaged copy instead (test-only: it must
  // fail). ok only if the plaintext's digest is the known payload's. Thread-safe, never throws.
  Decryption run(std::size_t bytes, std::size_t slot, bool corrupt = false) noexcept;

  // The cached entry run() decrypts (made on first use): for writing the very same ciphertext
  // to a file for a `gpg --decrypt` baseline. Null and a one-line *error on failure.
  std::shared_ptr<const CiphertextCache::Entry> ciphertext(std::size_t bytes, std::string* error) {
    return cache_.get(bytes, error);
  }

  const WorkloadConfig& config() const noexcept { return config_; }

 private:
  const WorkloadConfig config_;
  CiphertextCache cache_;
};

}  // namespace workloads::gpg
