// The gpg workload's plaintext and its ciphertext: a deterministic pseudo-random payload of N
// bytes, its encryption to a home's key, and a deliberately corrupted copy for failure tests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace workloads::gpg {

// N bytes from a fixed-seed splitmix64 stream: identical in every process and run (a worker
// process and a test recompute it instead of shipping it), and incompressible, so gpg's default
// compression cannot shrink the job. make_payload(m) is a prefix of make_payload(n) for m < n.
std::string make_payload(std::size_t bytes);

// Encrypts `plaintext` to the key `fingerprint` with the gpg of `home`: binary OpenPGP, gpg's
// default cipher and compression (what `gpg --encrypt` would produce). Trust is not checked
// (GPGME_ENCRYPT_ALWAYS_TRUST) because a per-worker home holds an imported key of unknown owner
// trust. Returns false and a one-line *error on failure.
bool encrypt_payload(const std::string& home, const std::string& fingerprint,
                     std::string_view plaintext, std::string* ciphertext, std::string* error);

// A copy with one byte flipped in the middle and one in the last (integrity-check) bytes, so gpg
// is bound to refuse it. For tests and a server's test-only "corrupt" switch.
std::string corrupt_ciphertext(std::string_view ciphertext);

}  // namespace workloads::gpg
