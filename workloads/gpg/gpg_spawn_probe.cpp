// Timing gpg's start-up through GPGME: a bare spawn, and a key listing.
#include "gpg_spawn_probe.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "gpg_gpgme.hpp"

namespace workloads::gpg {

namespace {

using Clock = std::chrono::steady_clock;
using detail::micros_since;

std::uint64_t median(std::vector<std::uint64_t> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

struct SpawnProbe::Impl {
  detail::Ctx openpgp;  // for the key listing
  detail::Ctx spawner;  // GPGME_PROTOCOL_SPAWN: runs any program the way GPGME runs gpg
  std::string gpg_path;
  std::string home;
  std::string fingerprint;
};

SpawnProbe::SpawnProbe(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SpawnProbe::~SpawnProbe() = default;

std::unique_ptr<SpawnProbe> SpawnProbe::create(const std::string& home, std::string fingerprint,
                                               std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->openpgp = detail::make_context(home, error);
  if (!impl->openpgp) return nullptr;
  // The spawn engine execs a path, not a name: take the gpg GPGME itself would run.
  const gpgme_engine_info_t info = gpgme_ctx_get_engine_info(impl->openpgp.get());
  if (info == nullptr || info->file_name == nullptr) {
    *error = "spawn probe: GPGME knows no gpg binary";
    return nullptr;
  }
  impl->gpg_path = info->file_name;
  gpgme_ctx_t raw = nullptr;
  gpgme_error_t err = gpgme_new(&raw);
  if (err == 0) {
    impl->spawner.reset(raw);
    err = gpgme_set_protocol(raw, GPGME_PROTOCOL_SPAWN);
  }
  if (err != 0) {
    *error = detail::describe("spawn probe: setting up GPGME's spawn engine", err);
    return nullptr;
  }
  impl->home = home;
  impl->fingerprint = std::move(fingerprint);
  return std::unique_ptr<SpawnProbe>(new SpawnProbe(std::move(impl)));
}

bool SpawnProbe::time_spawn(std::uint64_t* us, std::string* error) {
  const char* argv[] = {"gpg", "--homedir", impl_->home.c_str(), "--version", nullptr};
  const auto start = Clock::now();
  // No data objects: GPGME connects the child's stdin/stdout/stderr to /dev/null.
  const gpgme_error_t err = gpgme_op_spawn(impl_->spawner.get(), impl_->gpg_path.c_str(), argv,
                                           nullptr, nullptr, nullptr, 0);
  *us = micros_since(start);
  if (err != 0) *error = detail::describe("spawn probe: running gpg --version", err);
  return err == 0;
}

bool SpawnProbe::time_keylist(std::uint64_t* us, std::string* error) {
  gpgme_ctx_t ctx = impl_->openpgp.get();
  const auto start = Clock::now();
  gpgme_error_t err = gpgme_op_keylist_start(ctx, impl_->fingerprint.c_str(), 0);
  int keys = 0;
  while (err == 0) {
    gpgme_key_t key = nullptr;
    err = gpgme_op_keylist_next(ctx, &key);
    if (err == 0) {
      ++keys;
      gpgme_key_unref(key);
    }
  }
  gpgme_op_keylist_end(ctx);
  *us = micros_since(start);
  if (gpgme_err_code(err) != GPG_ERR_EOF) {
    *error = detail::describe("spawn probe: listing the key", err);
    return false;
  }
  if (keys == 0) {
    *error = "spawn probe: key " + impl_->fingerprint + " not found in " + impl_->home;
    return false;
  }
  return true;
}

bool probe_spawn_cost(const std::string& home, const std::string& fingerprint, int samples,
                      SpawnCost* cost, std::string* error) {
  auto probe = SpawnProbe::create(home, fingerprint, error);
  if (!probe) return false;
  samples = std::max(1, samples);
  std::vector<std::uint64_t> spawn, keylist;
  for (int i = 0; i < samples; ++i) {
    std::uint64_t us = 0;
    if (!probe->time_spawn(&us, error)) return false;
    spawn.push_back(us);
    if (!probe->time_keylist(&us, error)) return false;
    keylist.push_back(us);
  }
  cost->spawn_us = median(std::move(spawn));
  cost->keylist_us = median(std::move(keylist));
  cost->samples = samples;
  return true;
}

}  // namespace workloads::gpg
