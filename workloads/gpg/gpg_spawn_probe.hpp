// How much of a gpg job is just starting `gpg`: GPGME runs gpg as a child process for every
// operation, so part of each decryption's cost is fork + exec + gpg's start-up, whatever the
// payload. This probe times GPGME operations that pay for starting gpg but do no cryptography.
//
// Use: share spent starting gpg ~= spawn / Decryption::gpgme_us, both medians, sampled close
// together in time (on a shared machine the noise is larger than the effect otherwise). Sample in
// the process that serves the jobs: GPGME forks that process, and a fork's cost grows with the
// forking process's memory (its page tables are copied), so a big server pays more than a test.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace workloads::gpg {

// One thread's probe (it owns GPGME contexts: same threading rule as Decryptor).
class SpawnProbe {
 public:
  // Null and a one-line *error if GPGME cannot be set up.
  static std::unique_ptr<SpawnProbe> create(const std::string& home, std::string fingerprint,
                                            std::string* error);
  ~SpawnProbe();
  SpawnProbe(const SpawnProbe&) = delete;
  SpawnProbe& operator=(const SpawnProbe&) = delete;

  // gpgme_op_spawn of `gpg --version`: GPGME's own fork + exec of the gpg binary (the same code
  // path as a decryption's), gpg's minimal start-up and exit, reaping. The pure spawn cost.
  bool time_spawn(std::uint64_t* us, std::string* error);

  // A GPGME listing of the one public key: the spawn, plus gpg reading its options, keyring and
  // trust database and GPGME parsing the answer; no agent, no decryption. The fixed cost of any
  // gpg operation in this home, an upper bound for the "not decryption" part of a job.
  bool time_keylist(std::uint64_t* us, std::string* error);

 private:
  struct Impl;
  explicit SpawnProbe(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct SpawnCost {
  std::uint64_t spawn_us = 0;    // median of SpawnProbe::time_spawn
  std::uint64_t keylist_us = 0;  // median of SpawnProbe::time_keylist
  int samples = 0;
};

// `samples` (>= 1) of each, on the calling thread; ~samples x 10 ms. False and *error on failure.
bool probe_spawn_cost(const std::string& home, const std::string& fingerprint, int samples,
                      SpawnCost* cost, std::string* error);

}  // namespace workloads::gpg
