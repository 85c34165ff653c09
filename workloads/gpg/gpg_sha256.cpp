// SHA-256 through libgcrypt's one-shot gcry_md_hash_buffer.
#include "gpg_sha256.hpp"

#include <gcrypt.h>

#include <array>
#include <mutex>
#include <new>

namespace workloads::gpg {

namespace {

void init_libgcrypt() {
  static std::once_flag once;
  std::call_once(once, [] {
    // libgcrypt must be initialised before first use (its manual, "Initializing the library").
    // Plain hashing needs no secure memory; disabling it avoids the "Warning: using insecure
    // memory" path and any setuid-style memory locking in a server process.
    if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
      gcry_check_version(nullptr);
      gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
      gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    }
  });
}

std::string to_hex(const unsigned char* digest, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  init_libgcrypt();
  std::array<unsigned char, 32> digest{};
  gcry_md_hash_buffer(GCRY_MD_SHA256, digest.data(), bytes.data(), bytes.size());
  return to_hex(digest.data(), digest.size());
}

Sha256::Sha256() {
  init_libgcrypt();
  gcry_md_hd_t md = nullptr;
  if (gcry_md_open(&md, GCRY_MD_SHA256, 0) != 0) throw std::bad_alloc();
  md_ = md;
}

Sha256::~Sha256() {
  gcry_md_close(static_cast<gcry_md_hd_t>(md_));
}

void Sha256::update(const void* data, std::size_t size) {
  gcry_md_write(static_cast<gcry_md_hd_t>(md_), data, size);
}

std::string Sha256::hex() {
  const unsigned char* digest = gcry_md_read(static_cast<gcry_md_hd_t>(md_), GCRY_MD_SHA256);
  return to_hex(digest, 32);
}

}  // namespace workloads::gpg
