// The GnuPG homes a server owns for the gpg workload: one home every worker shares, or one home
// per worker (the `--gpg-home shared|per-worker` knob), all holding the same key pair, removed
// together with their agents at shutdown.
//
// Owned by the parent process only. Worker processes are handed a path (and the fingerprint) and
// never own a home, so a worker that crashes or is killed leaves nothing the parent does not
// clean up.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpg_home.hpp"

namespace workloads::gpg {

// shared: one gpg-agent serialises every worker's secret-key step. per_worker: one agent each.
enum class HomeMode { shared, per_worker };

// "shared" / "per-worker"; nullopt otherwise.
std::optional<HomeMode> parse_home_mode(std::string_view text);
const char* home_mode_name(HomeMode mode);

class HomeSet {
 public:
  // Creates the key pair in the first home and, for per_worker, imports it into `workers` - 1
  // more (about 0.1 s each). Null and a one-line *error on failure, every home already made
  // removed again.
  static std::unique_ptr<HomeSet> create(KeyType type, HomeMode mode, std::size_t workers,
                                         std::string* error);

  // The home for worker i is paths()[i % paths().size()]; 1 path when shared.
  std::vector<std::string> paths() const;
  const std::string& fingerprint() const noexcept { return homes_.front()->fingerprint(); }
  const Home& primary() const noexcept { return *homes_.front(); }

  // Home::remove() for each home; "" or the reasons joined by "; ". Idempotent, never throws,
  // also run by the destructor. Call after every worker has stopped decrypting.
  std::string remove() noexcept;

 private:
  explicit HomeSet(std::vector<std::unique_ptr<Home>> homes) : homes_(std::move(homes)) {}
  std::vector<std::unique_ptr<Home>> homes_;
};

}  // namespace workloads::gpg
