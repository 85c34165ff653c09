// Ciphertexts of the deterministic payload, encrypted once per size and kept for reuse, with a
// bounded number of sizes so that "?bytes=K" from clients cannot grow memory without limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace workloads::gpg {

class CiphertextCache {
 public:
  struct Entry {
    std::size_t bytes = 0;
    std::string ciphertext;
    std::string plaintext_sha256;  // hex; what a correct decryption must reproduce
  };

  // Encrypts with the gpg of `home` to `fingerprint` (any home holding the public key will do;
  // encryption never involves the agent). Keeps at most `max_sizes` entries (>= 1), evicting the
  // least recently used size; an evicted entry lives on while a caller still holds it.
  CiphertextCache(std::string home, std::string fingerprint, std::size_t max_sizes = 8);

  // The entry for `bytes`, encrypting on first use (one gpg run, ~10-50 ms; concurrent misses
  // are encrypted one at a time, hits never wait for an encryption). Thread-safe. Null and a
  // one-line *error on failure. `bytes` is not range-checked here: parse_payload_size does that.
  std::shared_ptr<const Entry> get(std::size_t bytes, std::string* error);

  std::size_t size() const;
  std::size_t max_sizes() const noexcept { return max_sizes_; }

 private:
  struct Slot {
    std::shared_ptr<const Entry> entry;
    std::uint64_t last_used = 0;
  };
  std::shared_ptr<const Entry> lookup(std::size_t bytes);  // needs mutex_

  const std::string home_;
  const std::string fingerprint_;
  const std::size_t max_sizes_;
  mutable std::mutex mutex_;  // guards slots_ and clock_; held only for map operations
  std::map<std::size_t, Slot> slots_;
  std::uint64_t clock_ = 0;
  std::mutex fill_mutex_;  // one encryption at a time, so a burst of misses encrypts once
};

}  // namespace workloads::gpg
