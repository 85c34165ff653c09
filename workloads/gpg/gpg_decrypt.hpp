// Decrypting a ciphertext with GPGME on the calling thread: one GPGME context per thread (GPGME
// contexts are single-threaded), each bound explicitly to a GnuPG home.
//
// Cost model, for reading the timings: every decryption runs a fresh `gpg` process (GPGME forks
// and execs it), gpg asks the home's gpg-agent to unwrap the session key with the secret key (the
// agent serialises that per home), then gpg decrypts the bulk data and streams it back over a
// pipe. `gpgme_us` covers all of it; subtract SpawnCost (gpg_spawn_probe.hpp) for the spawn part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace workloads::gpg {

struct Decryption {
  bool ok = false;
  // ok: "decrypted <bytes> bytes sha256=<hex>\n"; else a one-line reason without newline, e.g.
  // "decrypt: Decryption failed <GPGME>".
  std::string text;
  std::size_t bytes = 0;        // plaintext size (ok only)
  std::string sha256;           // plaintext digest, hex (ok only)
  std::uint64_t gpgme_us = 0;   // gpgme_op_decrypt: gpg spawn + agent + bulk decryption
  std::uint64_t digest_us = 0;  // SHA-256 of the plaintext
  std::uint64_t total_us = 0;   // the whole call, set-up included
};

// One thread's decryption context for one home. Not thread-safe: use it from one thread at a
// time (a worker thread or a worker process owns one). Cheap to keep: it holds no process.
class Decryptor {
 public:
  // Null and a one-line *error if GPGME cannot be set up (e.g. gpg missing). The home is not
  // checked here: a missing home shows up as a failed decryption.
  static std::unique_ptr<Decryptor> create(std::string home, std::string* error);
  ~Decryptor();
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;

  // Never throws; failures come back as !ok with GPGME's reason. A failure leaves the context
  // usable for the next call.
  Decryption decrypt(std::string_view ciphertext) noexcept;

  const std::string& home() const noexcept { return home_; }

 private:
  struct Impl;
  Decryptor(std::string home, std::unique_ptr<Impl> impl);
  std::string home_;
  std::unique_ptr<Impl> impl_;
};

// One worker's Decryptors, one per home, each made on first use and kept: a worker (a pool
// thread's slot, a worker process) owns one set and uses it from one thread at a time, which is
// GPGME's one-context-per-thread rule without any state of the process or the thread.
class DecryptorSet {
 public:
  // Decrypts with this set's Decryptor for `home`. Never throws.
  Decryption decrypt(const std::string& home, std::string_view ciphertext) noexcept;

 private:
  // Keyed by home: a test may decrypt in several homes; a server's worker uses one.
  std::map<std::string, std::unique_ptr<Decryptor>> by_home_;
};

}  // namespace workloads::gpg
