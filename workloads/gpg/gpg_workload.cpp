// The gpg workload behind workloads::Workload: GET / decrypts a payload of --payload-bytes
// (or ?bytes=SIZE) with GnuPG through GPGME and answers with its size and SHA-256.
//
// In the server, start() sweeps the homes of killed servers, makes the GnuPG homes (one, or one
// per worker with --gpg-home per-worker) with their key, times gpg's spawn, and, when the
// workers are threads of this process, encrypts the default payload ahead. Worker processes
// get the homes' paths and the fingerprint as arguments and build their own engine; the server
// alone owns the homes and removes them in stop(). The async strategy runs decryptions on the
// event loop itself (GpgAsyncWorker: gpg_async_decrypt.hpp), one home per slot as for threads.
#include <charconv>
#include <memory>
#include <mutex>

#include "gpg_async_decrypt.hpp"
#include "gpg_engine.hpp"
#include "gpg_home_set.hpp"
#include "gpg_init.hpp"
#include "gpg_payload.hpp"
#include "gpg_size.hpp"
#include "gpg_spawn_probe.hpp"
#include "gpg_stale_homes.hpp"
#include "query.hpp"
#include "workload.hpp"

namespace workloads {

namespace {

constexpr int kSpawnSamples = 5;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

class GpgParams final : public Params {
 public:
  GpgParams(std::uint32_t bytes, bool corrupt) : bytes_(bytes), corrupt_(corrupt) {}
  std::string describe() const override {
    return "gpg decrypt of " + std::to_string(bytes_) + " bytes";
  }
  // bytes:u32le flags:u8 (bit 0: corrupt)
  std::string encode() const override {
    std::string out;
    put_u32(out, bytes_);
    out.push_back(corrupt_ ? 1 : 0);
    return out;
  }
  std::uint32_t bytes() const { return bytes_; }
  bool corrupt() const { return corrupt_; }

 private:
  std::uint32_t bytes_;
  bool corrupt_;
};

// One worker: its slot (which home it decrypts in) and its own GPGME contexts.
class GpgWorker final : public Worker {
 public:
  GpgWorker(gpg::Engine* engine, std::size_t slot) : engine_(engine), slot_(slot) {}
  Result run(const Params& params) override {
    const auto* job = dynamic_cast<const GpgParams*>(&params);
    if (job == nullptr) return {false, "not a gpg job", 0, 0};
    if (engine_ == nullptr) return {false, "the gpg workload is not set up in this process", 0, 0};
    const gpg::Decryption d = engine_->run(job->bytes(), slot_, contexts_, job->corrupt());
    return {d.ok, d.text, 0, d.gpgme_us};
  }

 private:
  gpg::Engine* engine_;
  std::size_t slot_;
  gpg::DecryptorSet contexts_;
};

// One slot's decryptions on the caller's loop (the async strategy): the ciphertext from the
// engine's cache, the home of the slot, the digest checked against the payload's as for the
// pools' workers.
class GpgAsyncJob final : public AsyncJob {
 public:
  void cancel() override {
    if (op_) op_->cancel();
  }
  std::uint64_t loop_us() const override { return (op_ ? op_->loop_us() : 0) + setup_us_; }

  std::unique_ptr<gpg::AsyncDecryption> op_;
  std::uint64_t setup_us_ = 0;
};

class GpgAsyncWorker final : public AsyncWorker {
 public:
  GpgAsyncWorker(gpg::Engine* engine, std::size_t slot) : engine_(engine), slot_(slot) {}

  std::unique_ptr<AsyncJob> start(const Params& params, LoopIo& loop,
                                  std::function<void(Result)> done) override {
    auto job = std::make_unique<GpgAsyncJob>();
    const auto* p = dynamic_cast<const GpgParams*>(&params);
    std::string error;
    std::shared_ptr<const gpg::CiphertextCache::Entry> entry;
    if (p == nullptr) error = "not a gpg job";
    if (error.empty() && engine_ == nullptr)
      error = "the gpg workload is not set up in this process";
    if (error.empty()) entry = engine_->ciphertext(p->bytes(), &error);  // a new size encrypts here
    if (entry) {
      auto text =
          p->corrupt()
              ? std::make_shared<const std::string>(gpg::corrupt_ciphertext(entry->ciphertext))
              : std::shared_ptr<const std::string>(entry, &entry->ciphertext);
      const std::string& home = engine_->config().homes[slot_ % engine_->config().homes.size()];
      job->op_ = gpg::AsyncDecryption::start(
          loop, home, std::move(text),
          [entry, done](gpg::Decryption d) {
            if (d.ok && (d.bytes != entry->bytes || d.sha256 != entry->plaintext_sha256)) {
              d.ok = false;
              d.text = "decrypted plaintext does not match the payload of " +
                       std::to_string(entry->bytes) + " bytes (sha256 " + d.sha256 + ")";
            }
            done({d.ok, d.text, d.total_us, d.gpgme_us});
          },
          &error);
    }
    if (!job->op_) loop.defer([done, error] { done({false, error, 0, 0}); });
    return job;
  }

 private:
  gpg::Engine* engine_;
  std::size_t slot_;
};

class GpgWorkload final : public Workload {
 public:
  std::string name() const override { return "gpg"; }

  std::vector<WorkloadFlag> flags() const override {
    const auto size = [](const std::string& text) {
      std::string why;
      return gpg::parse_payload_size(text, &why) ? std::string() : why;
    };
    return {
        {"--payload-bytes", "PAYLOAD", "SIZE",
         "payload GET / decrypts, e.g. 4k, 64k, 1m (default 64k)", size},
        {"--max-payload-bytes", "MAX_PAYLOAD", "SIZE",
         "largest payload a client may ask for with /?bytes= (default 16m)", size},
        {"--gpg-home", "GPG_HOME", "MODE",
         "one GnuPG home for all workers, or one each: shared | per-worker (default shared)",
         [](const std::string& t) {
           return gpg::parse_home_mode(t) ? std::string() : "must be shared or per-worker";
         }},
        {"--gpg-key", "GPG_KEY", "TYPE", "key type, cv25519 | rsa3072 (default cv25519)",
         [](const std::string& t) {
           return gpg::parse_key_type(t) ? std::string() : "must be cv25519 or rsa3072";
         }},
        {"--allow-corrupt", nullptr, "0|1",
         "testing only: let /?corrupt=1 decrypt a damaged ciphertext (default 0)",
         [](const std::string& t) {
           return t == "0" || t == "1" ? std::string() : "must be 0 or 1";
         }},
    };
  }

  std::string configure(const Settings& settings) override {
    std::string err;
    const auto size = [&](const char* flag, std::size_t& out) {
      const std::string text = setting(settings, flag, "");
      if (text.empty()) return true;
      const auto v = gpg::parse_payload_size(text, &err);
      if (v) out = *v;
      if (!v) err = std::string("--") + flag + " " + text + ": " + err;
      return v.has_value();
    };
    if (!size("payload-bytes", payload_bytes_) || !size("max-payload-bytes", max_payload_bytes_))
      return err;
    if (payload_bytes_ > max_payload_bytes_)
      return "--payload-bytes: must be at most --max-payload-bytes (" +
             std::to_string(max_payload_bytes_) + ")";
    home_mode_ = setting(settings, "gpg-home", home_mode_);
    key_ = setting(settings, "gpg-key", key_);
    allow_corrupt_ = setting(settings, "allow-corrupt", "0") == "1";
    if (!gpg::parse_home_mode(home_mode_)) return "--gpg-home " + home_mode_ + ": unknown mode";
    if (!gpg::parse_key_type(key_)) return "--gpg-key " + key_ + ": unknown key type";
    return {};
  }

  std::string start(const ServerSide& side) override {
    log_ = side.log;
    if (std::string err = gpg::init_gpg_library(); !err.empty()) return err;
    for (const auto& stale : gpg::sweep_stale_homes())
      log("removed " + stale + ", a GnuPG home left by a killed server");
    std::string err;
    homes_ = gpg::HomeSet::create(*gpg::parse_key_type(key_), *gpg::parse_home_mode(home_mode_),
                                  side.workers, &err);
    if (!homes_) return "cannot set up GnuPG: " + err;
    for (const auto& path : homes_->paths())
      log("GnuPG home " + path + " (" + home_mode_ + ", key " + key_ + " " + homes_->fingerprint() +
          ")");
    gpg::SpawnCost cost;
    if (gpg::probe_spawn_cost(homes_->paths().front(), homes_->fingerprint(), kSpawnSamples, &cost,
                              &err)) {
      spawn_s_ = static_cast<double>(cost.spawn_us) / 1e6;
      startup_s_ = static_cast<double>(cost.keylist_us) / 1e6;
    }
    if (side.in_server) {
      engine_ =
          std::make_unique<gpg::Engine>(gpg::EngineConfig{homes_->paths(), homes_->fingerprint()});
      if (err = engine_->prepare(payload_bytes_); !err.empty()) {
        homes_->remove();
        return "cannot prepare the payload: " + err;
      }
    }
    return {};
  }

  void stop() override {
    std::lock_guard<std::mutex> lock(stop_mutex_);  // the watchdog's thread may race the loop's
    if (!homes_) return;
    if (std::string err = homes_->remove(); !err.empty()) log("removing GnuPG homes: " + err);
  }

  // --gpg-home DIR (repeated: slot I uses home I mod count), --gpg-fingerprint FPR,
  // --payload-bytes N (encrypted ahead).
  std::vector<std::string> worker_args() const override {
    std::vector<std::string> args;
    if (!homes_) return args;
    for (const auto& path : homes_->paths()) args.insert(args.end(), {"--gpg-home", path});
    args.insert(args.end(), {"--gpg-fingerprint", homes_->fingerprint(), "--payload-bytes",
                             std::to_string(payload_bytes_)});
    return args;
  }

  std::string start_worker(const std::vector<std::string>& args,
                           const std::function<void(const std::string&)>& log) override {
    gpg::EngineConfig config;
    std::size_t payload = 0;
    for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
      if (args[i] == "--gpg-home") {
        config.homes.push_back(args[i + 1]);
      } else if (args[i] == "--gpg-fingerprint") {
        config.fingerprint = args[i + 1];
      } else if (args[i] == "--payload-bytes") {
        std::from_chars(args[i + 1].data(), args[i + 1].data() + args[i + 1].size(), payload);
      } else {
        return "unknown gpg worker argument " + args[i];
      }
    }
    if (config.homes.empty()) return "no --gpg-home";
    if (std::string err = gpg::init_gpg_library(); !err.empty()) return err;
    // This process's own GPGME contexts and ciphertexts, on the homes the server made.
    engine_ = std::make_unique<gpg::Engine>(std::move(config));
    if (payload > 0) {
      if (std::string err = engine_->prepare(payload); !err.empty()) log(err);
    }
    return {};
  }

  std::string parse(std::string_view query, Job* job) const override {
    std::size_t bytes = payload_bytes_;
    bool corrupt = false;
    bool repeated = false;
    if (const auto text = query_param(query, "bytes", repeated)) {
      if (repeated) return "parameter bytes given more than once";
      std::string err;
      const auto size = gpg::parse_payload_size(*text, &err);
      if (!size || *size > max_payload_bytes_)
        return "bytes must be a size from 1 to " + gpg::format_payload_size(max_payload_bytes_) +
               " (e.g. 4k, 64k, 1m)";
      bytes = *size;
    }
    if (const auto text = query_param(query, "corrupt", repeated)) {
      if (!allow_corrupt_)
        return "corrupt= is for testing; the server was not started with --allow-corrupt 1";
      corrupt = *text == "1";
    }
    *job = std::make_shared<GpgParams>(static_cast<std::uint32_t>(bytes), corrupt);
    return {};
  }

  Job decode(std::string_view bytes) const override {
    if (bytes.size() != 5 || static_cast<unsigned char>(bytes[4]) > 1) return nullptr;
    const std::uint32_t size = get_u32(bytes);
    if (size < gpg::kMinPayloadBytes || size > gpg::kMaxPayloadBytes) return nullptr;
    return std::make_shared<GpgParams>(size, bytes[4] == 1);
  }

  std::unique_ptr<Worker> make_worker(std::size_t slot) override {
    return std::make_unique<GpgWorker>(engine_.get(), slot);
  }

  // gpg does the work in its own process: the loop only moves bytes through its pipes.
  std::unique_ptr<AsyncWorker> make_async_worker(std::size_t slot) override {
    return std::make_unique<GpgAsyncWorker>(engine_.get(), slot);
  }
  bool runs_async() const override { return true; }

  std::string ready_fields() const override {
    return " workload=gpg payload=" + gpg::format_payload_size(payload_bytes_) +
           " gpg-home=" + home_mode_ + " gpg-key=" + key_;
  }

  std::vector<std::pair<std::string, std::string>> info_labels() const override {
    return {{"payload_bytes", std::to_string(payload_bytes_)},
            {"gpg_home", home_mode_},
            {"gpg_key", key_}};
  }

  WorkloadMetrics metrics() const override {
    return {"offload_job_gpgme_seconds",
            "gpg jobs' time inside GPGME's decrypt: gpg spawn + agent + bulk.",
            {{"offload_gpg_spawn_seconds",
              "Median cost of GPGME starting a gpg process (fork, exec, reap), measured at start.",
              spawn_s_},
             {"offload_gpg_startup_seconds",
              "Median of a gpg run that only lists one key (spawn + gpg's own start-up), at start.",
              startup_s_}}};
  }

 private:
  void log(const std::string& line) const {
    if (log_) log_(line);
  }

  std::size_t payload_bytes_ = 64 * 1024;
  std::size_t max_payload_bytes_ = 16 * 1024 * 1024;
  std::string home_mode_ = "shared";
  std::string key_ = "cv25519";
  bool allow_corrupt_ = false;
  std::function<void(const std::string&)> log_;
  std::unique_ptr<gpg::HomeSet> homes_;
  std::unique_ptr<gpg::Engine> engine_;  // where jobs run in this process (threads, a worker)
  double spawn_s_ = -1;                  // unknown until measured
  double startup_s_ = -1;
  std::mutex stop_mutex_;
};

}  // namespace

std::unique_ptr<Workload> make_gpg_workload() {
  return std::make_unique<GpgWorkload>();
}

}  // namespace workloads
