// GPGME decryption with per-thread contexts, timed, answered with the plaintext's digest.
#include "gpg_decrypt.hpp"

#include <chrono>
#include <map>

#include "gpg_gpgme.hpp"
#include "gpg_sha256.hpp"

namespace workloads::gpg {

using Clock = std::chrono::steady_clock;
using detail::micros_since;

struct Decryptor::Impl {
  detail::Ctx ctx;
};

Decryptor::Decryptor(std::string home, std::unique_ptr<Impl> impl)
    : home_(std::move(home)), impl_(std::move(impl)) {}

Decryptor::~Decryptor() = default;

std::unique_ptr<Decryptor> Decryptor::create(std::string home, std::string* error) {
  auto ctx = detail::make_context(home, error);
  if (!ctx) return nullptr;
  return std::unique_ptr<Decryptor>(
      new Decryptor(std::move(home), std::make_unique<Impl>(Impl{std::move(ctx)})));
}

Decryption Decryptor::decrypt(std::string_view ciphertext) noexcept {
  Decryption d;
  try {
    const auto start = Clock::now();
    std::string error;
    auto in = detail::make_data_view(ciphertext.data(), ciphertext.size(), &error);
    auto out = in ? detail::make_data(&error) : nullptr;
    if (!out) {
      d.text = error;
      return d;
    }
    const auto gpg_start = Clock::now();
    const gpgme_error_t err = gpgme_op_decrypt(impl_->ctx.get(), in.get(), out.get());
    d.gpgme_us = micros_since(gpg_start);
    if (err != 0) {
      d.text = detail::describe_decrypt_failure(err, home_);
      d.total_us = micros_since(start);
      return d;
    }
    std::size_t size = 0;
    const std::unique_ptr<char, void (*)(void*)> plain(
        gpgme_data_release_and_get_mem(out.release(), &size), &gpgme_free);
    const auto digest_start = Clock::now();
    d.sha256 = sha256_hex(std::string_view(plain ? plain.get() : "", plain ? size : 0));
    d.digest_us = micros_since(digest_start);
    d.bytes = size;
    d.ok = true;
    d.text = "decrypted " + std::to_string(size) + " bytes sha256=" + d.sha256 + "\n";
    d.total_us = micros_since(start);
  } catch (...) {
    d = Decryption{};
    d.text = "out of memory";  // fits std::string's inline buffer: cannot throw again
  }
  return d;
}

Decryption DecryptorSet::decrypt(const std::string& home, std::string_view ciphertext) noexcept {
  try {
    auto& slot = by_home_[home];
    if (!slot) {
      std::string error;
      slot = Decryptor::create(home, &error);
      if (!slot) {
        by_home_.erase(home);
        Decryption d;
        d.text = error;
        return d;
      }
    }
    return slot->decrypt(ciphertext);
  } catch (...) {
    Decryption d;
    d.text = "out of memory";
    return d;
  }
}

}  // namespace workloads::gpg
