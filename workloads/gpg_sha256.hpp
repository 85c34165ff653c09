// SHA-256 of a byte string as lowercase hex: the digest in the gpg workload's answer, which lets
// a client check that the plaintext came back intact. Computed by libgcrypt (Debian's
// libgcrypt20, the library GnuPG itself uses; it picks SHA-NI/AVX2 code where the CPU has it),
// so hashing a 1 MiB plaintext costs well under a millisecond next to the decryption.
#pragma once

#include <string>
#include <string_view>

namespace workloads::gpg {

// 64 lowercase hex digits. Thread-safe; initialises libgcrypt once on first use.
std::string sha256_hex(std::string_view bytes);

}  // namespace workloads::gpg
