// Deterministic payloads and their encryption through GPGME.
#include "gpg_payload.hpp"

#include <cstdint>
#include <cstring>

#include "gpg_gpgme.hpp"

namespace workloads::gpg {

std::string make_payload(std::size_t bytes) {
  std::string out(bytes, '\0');
  std::uint64_t state = 0x6f66666c6f61646cULL;  // "offloadl": any fixed seed will do
  for (std::size_t i = 0; i < bytes; i += 8) {
    // splitmix64 (Steele, Lea, Flood 2014): tiny, fast, statistically good enough for filler.
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    unsigned char word[8];
    for (int b = 0; b < 8; ++b) word[b] = static_cast<unsigned char>(z >> (8 * b));  // LE always
    std::memcpy(out.data() + i, word, std::min<std::size_t>(8, bytes - i));
  }
  return out;
}

bool encrypt_payload(const std::string& home, const std::string& fingerprint,
                     std::string_view plaintext, std::string* ciphertext, std::string* error) {
  auto ctx = detail::make_context(home, error);
  if (!ctx) return false;
  auto key = detail::find_key(ctx.get(), fingerprint, false, error);
  if (!key) return false;
  auto in = detail::make_data_view(plaintext.data(), plaintext.size(), error);
  auto out = in ? detail::make_data(error) : nullptr;
  if (!out) return false;
  gpgme_key_t recipients[] = {key.get(), nullptr};
  if (gpgme_error_t err =
          gpgme_op_encrypt(ctx.get(), recipients, GPGME_ENCRYPT_ALWAYS_TRUST, in.get(), out.get());
      err != 0) {
    *error = detail::describe("encrypting the payload", err);
    return false;
  }
  const gpgme_encrypt_result_t result = gpgme_op_encrypt_result(ctx.get());
  if (result != nullptr && result->invalid_recipients != nullptr) {
    *error = detail::describe("encrypting the payload: key unusable",
                              result->invalid_recipients->reason);
    return false;
  }
  *ciphertext = detail::take_bytes(std::move(out));
  return true;
}

std::string corrupt_ciphertext(std::string_view ciphertext) {
  std::string bad(ciphertext);
  if (bad.empty()) return bad;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x55);
  // The last bytes hold the modification-detection code: flipping one fails the integrity check
  // even where the middle byte landed somewhere gpg would tolerate.
  bad.back() = static_cast<char>(bad.back() ^ 0x55);
  return bad;
}

}  // namespace workloads::gpg
