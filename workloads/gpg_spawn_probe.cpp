// Timing gpg's start-up through GPGME and through a bare spawn.
#include "gpg_spawn_probe.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "gpg_agent.hpp"
#include "gpg_gpgme.hpp"

namespace workloads::gpg {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t micros_since(Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

std::uint64_t median(std::vector<std::uint64_t> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

bool probe_spawn_cost(const std::string& home, const std::string& fingerprint, int samples,
                      SpawnCost* cost, std::string* error) {
  samples = std::max(1, samples);
  auto ctx = detail::make_context(home, error);
  if (!ctx) return false;
  std::vector<std::uint64_t> keylist, exec;
  for (int i = 0; i < samples; ++i) {
    const auto start = Clock::now();
    gpgme_error_t err = gpgme_op_keylist_start(ctx.get(), fingerprint.c_str(), 0);
    int keys = 0;
    while (err == 0) {
      gpgme_key_t key = nullptr;
      err = gpgme_op_keylist_next(ctx.get(), &key);
      if (err == 0) {
        ++keys;
        gpgme_key_unref(key);
      }
    }
    gpgme_op_keylist_end(ctx.get());
    if (gpgme_err_code(err) != GPG_ERR_EOF || keys == 0) {
      *error = keys == 0 && gpgme_err_code(err) == GPG_ERR_EOF
                   ? "spawn probe: key " + fingerprint + " not found in " + home
                   : detail::describe("spawn probe: listing the key", err);
      return false;
    }
    keylist.push_back(micros_since(start));
  }
  for (int i = 0; i < samples; ++i) {
    const auto start = Clock::now();
    if (run_quietly({"gpg", "--homedir", home, "--version"}) != 0) {
      *error = "spawn probe: gpg --version failed";
      return false;
    }
    exec.push_back(micros_since(start));
  }
  cost->gpgme_keylist_us = median(std::move(keylist));
  cost->exec_us = median(std::move(exec));
  cost->samples = samples;
  return true;
}

}  // namespace workloads::gpg
