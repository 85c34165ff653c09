// Creating and removing a server's set of GnuPG homes.
#include "gpg_home_set.hpp"

namespace workloads::gpg {

std::optional<HomeMode> parse_home_mode(std::string_view text) {
  if (text == "shared") return HomeMode::shared;
  if (text == "per-worker") return HomeMode::per_worker;
  return std::nullopt;
}

const char* home_mode_name(HomeMode mode) {
  return mode == HomeMode::per_worker ? "per-worker" : "shared";
}

std::unique_ptr<HomeSet> HomeSet::create(KeyType type, HomeMode mode, std::size_t workers,
                                         std::string* error) {
  std::vector<std::unique_ptr<Home>> homes;
  homes.push_back(Home::create(type, error));
  if (!homes.back()) return nullptr;
  const std::size_t count = mode == HomeMode::per_worker ? std::max<std::size_t>(1, workers) : 1;
  if (count > 1) {
    // Exported once, imported into each copy: one agent round trip instead of one per worker.
    const std::string key = homes.front()->export_secret_key(error);
    if (key.empty()) return nullptr;  // the homes made so far remove themselves
    while (homes.size() < count) {
      homes.push_back(Home::create_from_secret_key(key, error));
      if (!homes.back()) return nullptr;
    }
  }
  return std::unique_ptr<HomeSet>(new HomeSet(std::move(homes)));
}

std::vector<std::string> HomeSet::paths() const {
  std::vector<std::string> paths;
  for (const auto& home : homes_) paths.push_back(home->path());
  return paths;
}

std::string HomeSet::remove() noexcept {
  std::string problems;
  for (auto& home : homes_) {
    const std::string problem = home->remove();
    try {
      if (!problem.empty()) problems += (problems.empty() ? "" : "; ") + problem;
    } catch (...) {
      // Keep removing the other homes even if the report cannot grow.
    }
  }
  return problems;
}

}  // namespace workloads::gpg
