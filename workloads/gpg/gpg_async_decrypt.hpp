// A decryption driven by the caller's event loop: GPGME hands over gpg's pipes
// (gpgme_set_io_cbs) and gpgme_op_decrypt_start returns at once, so one thread keeps many
// decryptions in flight while gpg decrypts in its own processes. The plaintext is hashed as it
// arrives, never kept.
//
// What still runs on the loop, and is timed in loop_us(): the context's set-up, GPGME's spawn of
// gpg inside gpgme_op_decrypt_start (a fork and exec, and a blocking wait for the intermediate
// child of its double fork), and every read and write on the pipes with the hashing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gpg_decrypt.hpp"
#include "loop_io.hpp"

namespace workloads::gpg {

class AsyncDecryption {
 public:
  using Done = std::function<void(Decryption)>;

  // Starts decrypting `ciphertext` with the key in `home`. `done` runs once, on the loop, from
  // a deferred call (never from inside start() or cancel()); failures, cancellation included,
  // come as !ok with GPGME's reason. Null and a one-line *error only when no GPGME context could
  // be made (then `done` never runs). Destroy the object only after `done` ran.
  static std::unique_ptr<AsyncDecryption> start(LoopIo& loop, const std::string& home,
                                                std::shared_ptr<const std::string> ciphertext,
                                                Done done, std::string* error);
  ~AsyncDecryption();
  AsyncDecryption(const AsyncDecryption&) = delete;
  AsyncDecryption& operator=(const AsyncDecryption&) = delete;

  // Stops the operation (gpgme_cancel: gpg's pipes close and gpg ends); `done` follows with a
  // "cancelled" failure. Nothing happens once the operation has finished.
  void cancel();

  // Time the loop spent inside GPGME for this job so far (set-up, spawn, pipe I/O, hashing).
  std::uint64_t loop_us() const;

  struct Impl;

 private:
  explicit AsyncDecryption(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace workloads::gpg
