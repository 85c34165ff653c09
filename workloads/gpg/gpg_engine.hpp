// The gpg workload's engine: "decrypt the payload of N bytes", on whatever thread or process
// the strategy chose. Built from plain strings (home paths, a fingerprint), so a worker process
// can build one from its command line; the homes themselves are owned by a HomeSet in the
// server's main process.
//
// Typical use:
//   server start:   auto homes = HomeSet::create(KeyType::cv25519, HomeMode::shared, W, &err);
//                   Engine engine({homes->paths(), homes->fingerprint()});
//                   engine.prepare(payload_bytes);          // first request not slower
//   any worker:     DecryptorSet contexts;                  // one per worker, kept
//                   Decryption d = engine.run(bytes, worker_index, contexts);
//   worker process: Engine engine({{home_paths_from_argv}, fingerprint_from_argv});
//   shutdown:       stop workers, then homes->remove()      // agents stopped, dirs gone
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gpg_ciphertext_cache.hpp"
#include "gpg_decrypt.hpp"

namespace workloads::gpg {

struct EngineConfig {
  std::vector<std::string> homes;  // slot i decrypts in homes[i % homes.size()]; at least one
  std::string fingerprint;         // the key every ciphertext is encrypted to
  std::size_t max_cached_sizes = 8;
};

class Engine {
 public:
  explicit Engine(EngineConfig config);

  // Encrypts the payload of `bytes` now instead of on the first run(). "" or a one-line reason.
  std::string prepare(std::size_t bytes);

  // Decrypts the cached ciphertext of the `bytes` payload on the home of `slot` (a worker
  // index), with the caller's GPGME contexts (`contexts`: one set per worker, used by one thread
  // at a time). `corrupt` decrypts a damaged copy instead (test-only: it must fail). ok only if
  // the plaintext's digest is the known payload's. Thread-safe, never throws.
  Decryption run(std::size_t bytes, std::size_t slot, DecryptorSet& contexts,
                 bool corrupt = false) noexcept;

  // The cached entry run() decrypts (made on first use): for writing the very same ciphertext
  // to a file for a `gpg --decrypt` baseline. Null and a one-line *error on failure.
  std::shared_ptr<const CiphertextCache::Entry> ciphertext(std::size_t bytes, std::string* error) {
    return cache_.get(bytes, error);
  }

  const EngineConfig& config() const noexcept { return config_; }

 private:
  const EngineConfig config_;
  CiphertextCache cache_;
};

}  // namespace workloads::gpg
