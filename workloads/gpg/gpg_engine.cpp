// One gpg job: fetch (or make) the ciphertext, decrypt it on this thread, check the digest.
#include "gpg_engine.hpp"

#include "gpg_payload.hpp"

namespace workloads::gpg {

Engine::Engine(EngineConfig config)
    : config_(std::move(config)),
      // Encryption only reads the public key: any of the homes will do; the first exists always.
      cache_(config_.homes.empty() ? std::string() : config_.homes.front(), config_.fingerprint,
             config_.max_cached_sizes) {}

std::string Engine::prepare(std::size_t bytes) {
  std::string error;
  return cache_.get(bytes, &error) ? std::string() : error;
}

Decryption Engine::run(std::size_t bytes, std::size_t slot, DecryptorSet& contexts,
                       bool corrupt) noexcept {
  Decryption d;
  try {
    if (config_.homes.empty()) {
      d.text = "gpg workload has no GnuPG home";
      return d;
    }
    std::string error;
    const auto entry = cache_.get(bytes, &error);
    if (!entry) {
      d.text = error;
      return d;
    }
    const std::string& home = config_.homes[slot % config_.homes.size()];
    d = corrupt ? contexts.decrypt(home, corrupt_ciphertext(entry->ciphertext))
                : contexts.decrypt(home, entry->ciphertext);
    if (d.ok && (d.bytes != bytes || d.sha256 != entry->plaintext_sha256)) {
      d.ok = false;
      d.text = "decrypted plaintext does not match the payload of " + std::to_string(bytes) +
               " bytes (sha256 " + d.sha256 + ")";
    }
  } catch (...) {
    d = Decryption{};
    d.text = "out of memory";
  }
  return d;
}

}  // namespace workloads::gpg
