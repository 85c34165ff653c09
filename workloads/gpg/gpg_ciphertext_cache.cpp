// The bounded, least-recently-used cache of ciphertexts per payload size.
#include "gpg_ciphertext_cache.hpp"

#include <algorithm>

#include "gpg_payload.hpp"
#include "gpg_sha256.hpp"

namespace workloads::gpg {

CiphertextCache::CiphertextCache(std::string home, std::string fingerprint, std::size_t max_sizes)
    : home_(std::move(home)),
      fingerprint_(std::move(fingerprint)),
      max_sizes_(std::max<std::size_t>(1, max_sizes)) {}

std::shared_ptr<const CiphertextCache::Entry> CiphertextCache::lookup(std::size_t bytes) {
  const auto found = slots_.find(bytes);
  if (found == slots_.end()) return nullptr;
  found->second.last_used = ++clock_;
  return found->second.entry;
}

std::shared_ptr<const CiphertextCache::Entry> CiphertextCache::get(std::size_t bytes,
                                                                   std::string* error) {
  {
    std::lock_guard lock(mutex_);
    if (auto hit = lookup(bytes)) return hit;
  }
  std::lock_guard fill(fill_mutex_);
  {
    std::lock_guard lock(mutex_);  // another thread may have filled it while we waited
    if (auto hit = lookup(bytes)) return hit;
  }
  auto entry = std::make_shared<Entry>();
  entry->bytes = bytes;
  const std::string plaintext = make_payload(bytes);
  entry->plaintext_sha256 = sha256_hex(plaintext);
  if (!encrypt_payload(home_, fingerprint_, plaintext, &entry->ciphertext, error)) return nullptr;

  std::lock_guard lock(mutex_);
  while (slots_.size() >= max_sizes_) {
    const auto oldest = std::min_element(slots_.begin(), slots_.end(), [](auto& a, auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    slots_.erase(oldest);
  }
  slots_[bytes] = Slot{entry, ++clock_};
  return entry;
}

std::size_t CiphertextCache::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace workloads::gpg
