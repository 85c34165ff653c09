// GPGME glue shared by the gpg_* files (internal, not for the server): one-time library set-up,
// owning handles for contexts, data and keys, a context bound to one GnuPG home, and GPGME's
// one-line error text. Kept out of the public headers so users never need <gpgme.h>.
#pragma once

#include <gpgme.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

namespace workloads::gpg::detail {

// "what: reason <source>" on one line, from gpgme_strerror_r (the plain variant is not
// thread-safe).
std::string describe(const char* what, gpgme_error_t err);

// A failed decryption's line: gpg's own complaint about a vanished home is a vague "No data",
// so the real cause is named when the home is gone.
std::string describe_decrypt_failure(gpgme_error_t err, const std::string& home);

// Microseconds on the steady clock since `start`.
inline std::uint64_t micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
}

struct CtxRelease {
  void operator()(gpgme_ctx_t ctx) const noexcept { gpgme_release(ctx); }
};
struct DataRelease {
  void operator()(gpgme_data_t data) const noexcept { gpgme_data_release(data); }
};
struct KeyRelease {
  void operator()(gpgme_key_t key) const noexcept { gpgme_key_unref(key); }
};
using Ctx = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, CtxRelease>;
using Data = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataRelease>;
using Key = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyRelease>;

// A context for the OpenPGP protocol whose gpg engine uses `home` as its homedir (set explicitly,
// so GNUPGHOME and ~/.gnupg never matter), binary output and loopback pinentry: our keys have no
// passphrase, and should one ever be asked for, the operation fails instead of waiting for a
// pinentry nobody will answer. Null and *error on failure. Initialises GPGME first.
Ctx make_context(const std::string& home, std::string* error);

// The key with this fingerprint from the home behind `ctx`; `secret` asks for the secret part.
Key find_key(gpgme_ctx_t ctx, const std::string& fingerprint, bool secret, std::string* error);

// An empty in-memory data object, or a read-only view of `bytes` (not copied: `bytes` must
// outlive it).
Data make_data(std::string* error);
Data make_data_view(const char* bytes, std::size_t size, std::string* error);

// Releases `data` and returns what was written into it.
std::string take_bytes(Data data);

}  // namespace workloads::gpg::detail
