// gpg-bench: how fast the gpg workload decrypts, next to the plain `gpg --decrypt` a shell would
// run on the same ciphertext; how much of a decryption is starting gpg; and how one GnuPG home
// shared by two threads compares with one home each. Prints rates and ratios, asserts nothing.
//
// The machine is shared and noisy, so every comparison is measured in alternating rounds (A, B,
// A, B, ...) and summed: a burst of someone else's load hits both sides alike.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "gpg_agent.hpp"
#include "gpg_engine.hpp"
#include "gpg_home_set.hpp"
#include "gpg_size.hpp"
#include "gpg_spawn_probe.hpp"

namespace gpg = workloads::gpg;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  gpg::KeyType key = gpg::KeyType::cv25519;
  double seconds = 3.0;  // per measured side, split over the rounds
  int rounds = 3;
  std::vector<std::size_t> sizes = {4 << 10, 64 << 10, 1 << 20};
};

void usage() {
  std::cout << "usage: gpg-bench [options]\n"
               "  --key cv25519|rsa3072   key pair to create (default cv25519)\n"
               "  --seconds S             time per measured side, all rounds together (default 3)\n"
               "  --rounds R              alternating rounds per comparison (default 3)\n"
               "  --sizes 4k,64k,1m       payload sizes, binary suffixes (default 4k,64k,1m)\n";
}

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") {
      usage();
      std::exit(0);
    } else if (arg == "--key" && value) {
      const auto key = gpg::parse_key_type(value);
      if (!key) return std::cerr << "gpg-bench: --key must be cv25519 or rsa3072\n", false;
      o->key = *key;
      ++i;
    } else if (arg == "--seconds" && value) {
      o->seconds = std::atof(value);
      if (!(o->seconds > 0 && o->seconds <= 600))
        return std::cerr << "gpg-bench: --seconds must be in (0, 600]\n", false;
      ++i;
    } else if (arg == "--rounds" && value) {
      o->rounds = std::atoi(value);
      if (o->rounds < 1 || o->rounds > 100)
        return std::cerr << "gpg-bench: --rounds must be in 1..100\n", false;
      ++i;
    } else if (arg == "--sizes" && value) {
      o->sizes.clear();
      const std::string list = value;
      for (std::size_t start = 0; start <= list.size();) {
        const auto comma = std::min(list.find(',', start), list.size());
        std::string error;
        const auto bytes = gpg::parse_payload_size(list.substr(start, comma - start), &error);
        if (!bytes) return std::cerr << "gpg-bench: " << error << "\n", false;
        o->sizes.push_back(*bytes);
        start = comma + 1;
      }
      ++i;
    } else {
      std::cerr << "gpg-bench: unknown or incomplete option " << arg << "\n";
      usage();
      return false;
    }
  }
  return true;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string first_line_of(const std::string& command) {
  std::string line;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[256];
    if (fgets(buf, sizeof buf, p)) line = buf;
    pclose(p);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line.substr(std::min(line.find_first_not_of(' '), line.size()));
}

// Decryptions summed over rounds; per-decryption times where the side has them.
struct Tally {
  long count = 0;
  long failures = 0;
  double seconds = 0;
  std::vector<std::uint64_t> us;

  double rate() const { return seconds > 0 ? count / seconds : 0; }
  double median_ms() const {
    if (us.empty()) return seconds > 0 && count > 0 ? 1000 * seconds / count : 0;  // the mean
    auto v = us;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2] / 1000.0;
  }
};

// One context (the main thread's, in `contexts`), decrypting in a loop for `seconds`.
void gpgme_loop(gpg::Engine& engine, gpg::DecryptorSet& contexts, std::size_t bytes, double seconds,
                Tally* t) {
  const auto start = Clock::now();
  do {
    const gpg::Decryption d = engine.run(bytes, 0, contexts);
    if (!d.ok && ++t->failures == 1) std::cerr << "gpg-bench: " << d.text << "\n";
    t->us.push_back(d.gpgme_us);
    ++t->count;
  } while (seconds_since(start) < seconds);
  t->seconds += seconds_since(start);
}

// The same ciphertext through a bash loop of `gpg --decrypt`, `runs` times, the plaintext going
// to `sink`: ">/dev/null" (the floor: gpg's writes cost nothing) or "| sha256sum >/dev/null" (the
// workload's own work: plaintext read through a pipe and hashed). bash, not sh: dash has no
// pipefail, and without it a failing gpg would go unnoticed.
void shell_loop(const std::string& home, const std::string& file, long runs,
                const std::string& sink, Tally* t) {
  const std::string command = "set -o pipefail; i=0; while [ $i -lt " + std::to_string(runs) +
                              " ]; do gpg --homedir " + home + " --batch --quiet --decrypt " +
                              file + " 2>/dev/null " + sink + " || exit 1; i=$((i+1)); done";
  const auto start = Clock::now();
  if (gpg::run_quietly({"bash", "-c", command}) != 0) ++t->failures;
  t->seconds += seconds_since(start);
  t->count += runs;
}

// `threads` threads, thread t decrypting in the home of slot t, for `seconds`.
void threaded(gpg::Engine& engine, std::size_t bytes, int threads, double seconds, Tally* t) {
  std::atomic<long> done{0}, failed{0};
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      gpg::DecryptorSet contexts;  // this thread's, as a pool worker's
      while (seconds_since(start) < seconds)
        ++(engine.run(bytes, static_cast<std::size_t>(i), contexts).ok ? done : failed);
    });
  }
  for (auto& thread : pool) thread.join();
  t->seconds += seconds_since(start);
  t->count += done;
  t->failures += failed;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) return 2;
  const double slice = o.seconds / o.rounds;

  std::cout << "machine: " << std::thread::hardware_concurrency() << " cores, "
            << first_line_of("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-") << ", load "
            << first_line_of("cut -d' ' -f1-3 /proc/loadavg") << "\n"
            << "engine:  " << first_line_of("gpg --version") << "\n"
            << "key:     " << gpg::key_type_name(o.key) << "; " << o.seconds << " s per side in "
            << o.rounds << " alternating rounds\n\n";

  std::string error;
  // Two homes holding one key; the first serves every single-home measurement.
  auto homes = gpg::HomeSet::create(o.key, gpg::HomeMode::per_worker, 2, &error);
  if (!homes) return std::cerr << "gpg-bench: " << error << "\n", 1;
  const std::string home = homes->paths().front();
  gpg::Engine shared({{home}, homes->fingerprint()});
  gpg::DecryptorSet contexts;  // the main thread's
  long failures = 0;

  std::printf("%-5s %11s %9s | %15s %8s %6s | %15s %8s %6s\n", "size", "gpgme dec/s", "median",
              "shell|sha256 /s", "mean", "ratio", "shell>null /s", "mean", "ratio");
  for (std::size_t bytes : o.sizes) {
    const auto entry = shared.ciphertext(bytes, &error);
    if (!entry) return std::cerr << "gpg-bench: " << error << "\n", 1;
    // The very ciphertext the GPGME loop decrypts, for the shell.
    const std::string file = home + "/ct-" + gpg::format_payload_size(bytes) + ".gpg";
    std::ofstream(file, std::ios::binary) << entry->ciphertext;
    shared.run(bytes, 0, contexts);  // warm-up: agent up, key unwrapped once, pages faulted in
    Tally api, piped, null;
    for (int round = 0; round < o.rounds; ++round) {
      const long before = api.count;
      gpgme_loop(shared, contexts, bytes, slice, &api);
      const long runs = std::max(2L, api.count - before);  // about the same time for the shell
      shell_loop(home, file, runs, "| sha256sum >/dev/null", &piped);
      shell_loop(home, file, runs, ">/dev/null", &null);
    }
    std::printf("%-5s %11.1f %6.2f ms | %15.1f %5.2f ms %6.2f | %15.1f %5.2f ms %6.2f%s\n",
                gpg::format_payload_size(bytes).c_str(), api.rate(), api.median_ms(), piped.rate(),
                piped.median_ms(), api.rate() / piped.rate(), null.rate(), null.median_ms(),
                api.rate() / null.rate(),
                api.failures + piped.failures + null.failures ? "  FAILURES" : "");
    failures += api.failures + piped.failures + null.failures;
  }
  std::cout << "ratio = gpgme dec/s / shell dec/s. Each decryption spawns one gpg either way;\n"
               "median: gpgme_op_decrypt alone; mean: whole shell iteration\n\n";

  auto probe = gpg::SpawnProbe::create(home, homes->fingerprint(), &error);
  if (!probe) return std::cerr << "gpg-bench: " << error << "\n", 1;
  std::printf("%-5s %10s %9s %10s %12s %13s\n", "size", "decrypt", "spawn", "keylist",
              "spawn share", "keylist share");
  for (std::size_t bytes : o.sizes) {
    // Probe and decryption alternate sample by sample, so both see the same machine load.
    Tally decrypt, spawn, keylist;
    const auto start = Clock::now();
    while (seconds_since(start) < std::min(2.0, o.seconds) || decrypt.us.size() < 5) {
      std::uint64_t spawn_us = 0, keylist_us = 0;
      if (!probe->time_spawn(&spawn_us, &error) || !probe->time_keylist(&keylist_us, &error))
        return std::cerr << "gpg-bench: " << error << "\n", 1;
      spawn.us.push_back(spawn_us);
      keylist.us.push_back(keylist_us);
      decrypt.us.push_back(shared.run(bytes, 0, contexts).gpgme_us);
    }
    const double d = decrypt.median_ms(), sp = spawn.median_ms(), kl = keylist.median_ms();
    std::printf("%-5s %7.2f ms %6.2f ms %7.2f ms %11.0f%% %12.0f%%\n",
                gpg::format_payload_size(bytes).c_str(), d, sp, kl, 100 * sp / d, 100 * kl / d);
  }
  std::cout << "spawn: gpgme_op_spawn of `gpg --version` (GPGME's fork + exec + reap, lower\n"
               "bound); keylist: GPGME listing one key (spawn + gpg start-up + keyring, upper\n"
               "bound); share = that / median gpgme_op_decrypt time; all medians\n\n";

  const std::size_t bytes = o.sizes.front();
  gpg::Engine per_worker({homes->paths(), homes->fingerprint()});
  per_worker.run(bytes, 1, contexts);  // warm the second home's agent
  Tally one, two_shared, two_own;
  for (int round = 0; round < o.rounds; ++round) {
    threaded(shared, bytes, 1, slice, &one);
    threaded(shared, bytes, 2, slice, &two_shared);
    threaded(per_worker, bytes, 2, slice, &two_own);
  }
  std::printf(
      "%s, threads: 1 thread %.1f dec/s | 2 threads, one home %.1f dec/s (x%.2f) | "
      "2 threads, own homes %.1f dec/s (x%.2f)%s\n",
      gpg::format_payload_size(bytes).c_str(), one.rate(), two_shared.rate(),
      two_shared.rate() / one.rate(), two_own.rate(), two_own.rate() / one.rate(),
      one.failures + two_shared.failures + two_own.failures ? "  FAILURES" : "");
  failures += one.failures + two_shared.failures + two_own.failures;

  if (const std::string problem = homes->remove(); !problem.empty())
    std::cerr << "gpg-bench: cleanup: " << problem << "\n";
  return failures == 0 ? 0 : 1;
}
