// SHA-256 of a byte string as lowercase hex: the digest in the gpg workload's answer, which lets
// a client check that the plaintext came back intact. Computed by libgcrypt (Debian's
// libgcrypt20, the library GnuPG itself uses; it picks SHA-NI/AVX2 code where the CPU has it),
// so hashing a 1 MiB plaintext costs well under a millisecond next to the decryption.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace workloads::gpg {

// 64 lowercase hex digits. Thread-safe; initialises libgcrypt once on first use.
std::string sha256_hex(std::string_view bytes);

// SHA-256 fed piece by piece (a plaintext hashed as it arrives). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  std::string hex();  // 64 lowercase hex digits of what was fed; once

 private:
  void* md_ = nullptr;  // gcry_md_hd_t, kept out of this header
};

}  // namespace workloads::gpg
