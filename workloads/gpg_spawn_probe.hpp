// How much of a gpg job is just starting `gpg`: GPGME runs gpg as a child process for every
// operation, so part of each decryption's cost is fork + exec + gpg's own start-up, whatever the
// payload. This probe times operations that pay that start-up but do no cryptography.
//
// Use: share spent spawning ~= SpawnCost::gpgme_keylist_us / Decryption::gpgme_us (the median of
// each). Measure in the process that serves the jobs, once at start and from time to time: the
// fork part grows with the forking process's memory (page tables are copied), so a big server
// pays more than a small test.
#pragma once

#include <cstdint>
#include <string>

namespace workloads::gpg {

struct SpawnCost {
  // Median of a GPGME listing of one public key: GPGME's fork + exec of gpg, gpg's start-up, a
  // keyring read and GPGME's parsing of the answer; no agent, no decryption. The closest
  // stand-in for the fixed part of a decryption.
  std::uint64_t gpgme_keylist_us = 0;
  // Median of posix_spawn("gpg --version") and waiting for it: the bare binary start-up, without
  // GPGME's pipes and the (fork-based) copy of this process.
  std::uint64_t exec_us = 0;
  int samples = 0;
};

// Runs `samples` (>= 1) of each measurement on the calling thread, using its own GPGME context on
// `home`. Takes samples x ~5 ms. Returns false and a one-line *error on failure.
bool probe_spawn_cost(const std::string& home, const std::string& fingerprint, int samples,
                      SpawnCost* cost, std::string* error);

}  // namespace workloads::gpg
