// The gpg workload library: sizes, digests, private homes, round trips through real gpg
// processes, failures, concurrency, per-worker homes and cleanup of agents and directories.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "gpg_agent.hpp"
#include "gpg_ciphertext_cache.hpp"
#include "gpg_decrypt.hpp"
#include "gpg_engine.hpp"
#include "gpg_home.hpp"
#include "gpg_home_set.hpp"
#include "gpg_init.hpp"
#include "gpg_payload.hpp"
#include "gpg_sha256.hpp"
#include "gpg_size.hpp"
#include "gpg_spawn_probe.hpp"
#include "proc_files.hpp"

namespace gpg = workloads::gpg;

namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * 1024;

std::string expected_answer(std::size_t bytes) {
  return "decrypted " + std::to_string(bytes) +
         " bytes sha256=" + gpg::sha256_hex(gpg::make_payload(bytes)) + "\n";
}

// Any process whose command line mentions `path`: broader than find_daemons on purpose, so the
// cleanup test does not only trust the function it checks.
std::vector<std::string> processes_mentioning(const std::string& path) {
  std::vector<std::string> found;
  for (const auto& p : testsupport::processes())
    if (p.state != 'Z' && p.cmdline.find(path) != std::string::npos)
      found.push_back(std::to_string(p.pid) + " " + p.cmdline);
  return found;
}

// One cv25519 home for the tests of a suite (each ctest run is its own process: one key each).
class GpgHomeTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    home_ = gpg::Home::create(gpg::KeyType::cv25519, &error).release();
    ASSERT_NE(home_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete home_;
    home_ = nullptr;
  }
  static gpg::Engine make_engine() { return gpg::Engine({{home_->path()}, home_->fingerprint()}); }
  static gpg::Home* home_;
};
gpg::Home* GpgHomeTest::home_ = nullptr;

}  // namespace

TEST(Sha256, MatchesKnownVectors) {
  // FIPS 180-2 appendix B examples and the empty string.
  EXPECT_EQ(gpg::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(gpg::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(gpg::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(gpg::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(PayloadSize, AcceptsCountsWithBinarySuffixes) {
  const std::pair<const char*, std::size_t> cases[] = {
      {"1", 1},           {"4096", 4096},         {"4k", 4 * kKiB},
      {"4K", 4 * kKiB},   {"64kib", 64 * kKiB},   {"64KB", 64 * kKiB},
      {"1m", kMiB},       {"1MiB", kMiB},         {"512b", 512},
      {"64m", 64 * kMiB}, {"67108864", 64 * kMiB}};
  for (const auto& [text, bytes] : cases) {
    std::string error;
    const auto parsed = gpg::parse_payload_size(text, &error);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << error;
    EXPECT_EQ(*parsed, bytes) << text;
  }
}

TEST(PayloadSize, RefusesMalformedOrOutOfRangeWithAReason) {
  const char* bad[] = {"",     "0",   "0k",  "k",        "-4k",
                       "+4k",  "4 k", " 4k", "4k ",      "4g",
                       "1.5m", "4kk", "65m", "67108865", "99999999999999999999999999",
                       "0x10"};
  for (const char* text : bad) {
    std::string error;
    EXPECT_FALSE(gpg::parse_payload_size(text, &error).has_value()) << "'" << text << "'";
    EXPECT_NE(error.find("payload size"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::string error;
  gpg::parse_payload_size("65m", &error);
  EXPECT_NE(error.find("1 byte .. 64 MiB"), std::string::npos) << error;
}

TEST(PayloadSize, LabelsParseBack) {
  EXPECT_EQ(gpg::format_payload_size(4 * kKiB), "4k");
  EXPECT_EQ(gpg::format_payload_size(kMiB), "1m");
  EXPECT_EQ(gpg::format_payload_size(1000), "1000");
  for (std::size_t bytes : {std::size_t{1}, std::size_t{1000}, 64 * kKiB, 3 * kMiB}) {
    std::string error;
    EXPECT_EQ(gpg::parse_payload_size(gpg::format_payload_size(bytes), &error), bytes);
  }
}

TEST(Payload, IsDeterministicAndPrefixStable) {
  EXPECT_EQ(gpg::make_payload(13).size(), 13u);
  EXPECT_EQ(gpg::make_payload(4 * kKiB), gpg::make_payload(4 * kKiB));
  EXPECT_EQ(gpg::make_payload(64 * kKiB).substr(0, 4 * kKiB + 3), gpg::make_payload(4 * kKiB + 3));
  // Pinned, so a change of generator (which would change every recorded digest) is noticed.
  // The values were computed outside this code (splitmix64 from the seed, little-endian, in
  // Python's hashlib), so they check the generator and sha256_hex both.
  EXPECT_EQ(gpg::sha256_hex(gpg::make_payload(4 * kKiB)),
            "dfbb607b4fa6d6547fc6f78310de2218517fc6044021507cbe2b7d8eeb1871f7");
  EXPECT_EQ(gpg::sha256_hex(gpg::make_payload(13)),  // a partial last word
            "7772212a44f22995db1620921a52d9bd5fb6946c42e1bf98ef81039793da352d");
  const std::string p = gpg::make_payload(4 * kKiB);
  EXPECT_GT(std::set<char>(p.begin(), p.end()).size(), 200u);  // not a constant filler
}

TEST(KnobParsing, KeyTypesAndHomeModes) {
  EXPECT_EQ(gpg::parse_key_type("cv25519"), gpg::KeyType::cv25519);
  EXPECT_EQ(gpg::parse_key_type("rsa3072"), gpg::KeyType::rsa3072);
  EXPECT_FALSE(gpg::parse_key_type("rsa4096").has_value());
  EXPECT_STREQ(gpg::key_type_name(gpg::KeyType::rsa3072), "rsa3072");
  EXPECT_EQ(gpg::parse_home_mode("shared"), gpg::HomeMode::shared);
  EXPECT_EQ(gpg::parse_home_mode("per-worker"), gpg::HomeMode::per_worker);
  EXPECT_FALSE(gpg::parse_home_mode("per_worker").has_value());
  EXPECT_STREQ(gpg::home_mode_name(gpg::HomeMode::per_worker), "per-worker");
}

TEST(GpgLibrary, InitialisesOnceAndFindsGpg) {
  EXPECT_EQ(gpg::init_gpg_library(), "");
  EXPECT_EQ(gpg::init_gpg_library(), "");
}

TEST_F(GpgHomeTest, IsPrivateShortAndExpandsSecureMemory) {
  struct stat st {};
  ASSERT_EQ(stat(home_->path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(home_->path().rfind("/tmp/olg-", 0), 0u) << home_->path();
  EXPECT_LE(home_->path().size(), 20u);  // far below the ~107-byte socket path limit
  std::ifstream conf(home_->path() + "/gpg-agent.conf");
  const std::string text((std::istreambuf_iterator<char>(conf)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("auto-expand-secmem"), std::string::npos);
  EXPECT_EQ(home_->fingerprint().size(), 40u) << home_->fingerprint();
}

TEST_F(GpgHomeTest, RoundTripsSeveralSizes) {
  auto engine = make_engine();
  gpg::DecryptorSet contexts;
  for (std::size_t bytes : {4 * kKiB, 64 * kKiB, kMiB, std::size_t{1}, std::size_t{1000}}) {
    const gpg::Decryption d = engine.run(bytes, 0, contexts);
    ASSERT_TRUE(d.ok) << bytes << ": " << d.text;
    EXPECT_EQ(d.text, expected_answer(bytes));
    EXPECT_EQ(d.bytes, bytes);
    EXPECT_GT(d.gpgme_us, 0u);
    EXPECT_GE(d.total_us, d.gpgme_us);
  }
}

TEST_F(GpgHomeTest, ThreadsEachWithTheirOwnContextAllDecryptCorrectly) {
  auto engine = make_engine();
  ASSERT_EQ(engine.prepare(4 * kKiB), "");
  ASSERT_EQ(engine.prepare(64 * kKiB), "");
  constexpr int kThreads = 4, kRuns = 3;
  std::vector<std::vector<gpg::Decryption>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      gpg::DecryptorSet contexts;  // this thread's, as a pool worker's
      for (int i = 0; i < kRuns; ++i)
        results[t].push_back(engine.run((t + i) % 2 ? 64 * kKiB : 4 * kKiB, t, contexts));
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(results[t].size(), std::size_t{kRuns});
    for (int i = 0; i < kRuns; ++i) {
      EXPECT_TRUE(results[t][i].ok) << results[t][i].text;
      EXPECT_EQ(results[t][i].text, expected_answer((t + i) % 2 ? 64 * kKiB : 4 * kKiB));
    }
  }
}

TEST_F(GpgHomeTest, CorruptedCiphertextFailsWithAReasonAndTheNextSucceeds) {
  auto engine = make_engine();
  gpg::DecryptorSet contexts;
  for (std::size_t bytes : {4 * kKiB, std::size_t{1}}) {
    const gpg::Decryption bad = engine.run(bytes, 0, contexts, /*corrupt=*/true);
    EXPECT_FALSE(bad.ok);
    EXPECT_FALSE(bad.text.empty());
    EXPECT_EQ(bad.text.find('\n'), std::string::npos) << bad.text;
    EXPECT_NE(bad.text.find("decrypt"), std::string::npos) << bad.text;
    const gpg::Decryption good = engine.run(bytes, 0, contexts);
    EXPECT_TRUE(good.ok) << good.text;
    EXPECT_EQ(good.text, expected_answer(bytes));
  }
}

TEST_F(GpgHomeTest, GarbageOrEmptyInputFailsWithoutCrashing) {
  std::string error;
  auto decryptor = gpg::Decryptor::create(home_->path(), &error);
  ASSERT_NE(decryptor, nullptr) << error;
  for (std::string_view input :
       {std::string_view("this is not an OpenPGP message"), std::string_view()}) {
    const gpg::Decryption d = decryptor->decrypt(input);
    EXPECT_FALSE(d.ok);
    EXPECT_FALSE(d.text.empty());
    EXPECT_EQ(d.text.find('\n'), std::string::npos) << d.text;
  }
  std::string ciphertext;
  ASSERT_TRUE(gpg::encrypt_payload(home_->path(), home_->fingerprint(), gpg::make_payload(100),
                                   &ciphertext, &error))
      << error;
  EXPECT_TRUE(decryptor->decrypt(ciphertext).ok);
}

TEST_F(GpgHomeTest, CacheKeepsABoundedNumberOfSizes) {
  gpg::CiphertextCache cache(home_->path(), home_->fingerprint(), 2);
  std::string error;
  const auto first = cache.get(100, &error);
  ASSERT_NE(first, nullptr) << error;
  EXPECT_EQ(cache.get(100, &error), first);  // a hit, not a second encryption
  ASSERT_NE(cache.get(200, &error), nullptr);
  ASSERT_NE(cache.get(300, &error), nullptr);
  EXPECT_EQ(cache.size(), 2u);
  // The evicted entry stays valid for whoever holds it, and comes back on demand.
  EXPECT_TRUE(gpg::DecryptorSet().decrypt(home_->path(), first->ciphertext).ok);
  const auto again = cache.get(100, &error);
  ASSERT_NE(again, nullptr) << error;
  EXPECT_NE(again, first);
  EXPECT_EQ(again->plaintext_sha256, first->plaintext_sha256);
  EXPECT_EQ(cache.size(), 2u);
}

TEST_F(GpgHomeTest, SpawnProbeTimesGpgStartUp) {
  gpg::SpawnCost cost;
  std::string error;
  ASSERT_TRUE(gpg::probe_spawn_cost(home_->path(), home_->fingerprint(), 3, &cost, &error))
      << error;
  EXPECT_EQ(cost.samples, 3);
  EXPECT_GT(cost.spawn_us, 0u);
  EXPECT_GT(cost.keylist_us, 0u);
  EXPECT_FALSE(gpg::probe_spawn_cost(home_->path(), std::string(40, 'A'), 1, &cost, &error));
  EXPECT_FALSE(error.empty());
}

TEST(GpgKeyTypes, Rsa3072AndCv25519BothRoundTrip) {
  for (auto type : {gpg::KeyType::rsa3072, gpg::KeyType::cv25519}) {
    std::string error;
    auto home = gpg::Home::create(type, &error);
    ASSERT_NE(home, nullptr) << gpg::key_type_name(type) << ": " << error;
    gpg::Engine engine({{home->path()}, home->fingerprint()});
    gpg::DecryptorSet contexts;
    for (std::size_t bytes : {4 * kKiB, 64 * kKiB}) {
      const gpg::Decryption d = engine.run(bytes, 0, contexts);
      EXPECT_TRUE(d.ok) << gpg::key_type_name(type) << ": " << d.text;
      EXPECT_EQ(d.text, expected_answer(bytes));
    }
  }
}

TEST(GpgHomeSet, PerWorkerHomesHoldTheKeyAndRunTheirOwnAgents) {
  std::string error;
  auto homes = gpg::HomeSet::create(gpg::KeyType::cv25519, gpg::HomeMode::per_worker, 3, &error);
  ASSERT_NE(homes, nullptr) << error;
  const auto paths = homes->paths();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(std::set<std::string>(paths.begin(), paths.end()).size(), 3u);
  gpg::Engine engine({paths, homes->fingerprint()});
  gpg::DecryptorSet contexts;
  // The ciphertext is made in the first home; each other home decrypts it with its imported key.
  for (std::size_t slot = 0; slot < 3; ++slot) {
    const gpg::Decryption d = engine.run(4 * kKiB, slot, contexts);
    EXPECT_TRUE(d.ok) << paths[slot] << ": " << d.text;
    EXPECT_EQ(d.text, expected_answer(4 * kKiB));
  }
  std::set<pid_t> agents;
  for (const auto& path : paths) {
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    const auto pids = gpg::find_daemons(path);
    EXPECT_EQ(pids.size(), 1u) << path;
    agents.insert(pids.begin(), pids.end());
  }
  EXPECT_EQ(agents.size(), 3u);  // one agent per home: the point of per-worker homes

  // A home built from an exported key in another way (as a worker process could) works too.
  const std::string key = homes->primary().export_secret_key(&error);
  ASSERT_FALSE(key.empty()) << error;
  auto imported = gpg::Home::create_from_secret_key(key, &error);
  ASSERT_NE(imported, nullptr) << error;
  EXPECT_EQ(imported->fingerprint(), homes->fingerprint());

  EXPECT_EQ(homes->remove(), "");
  for (const auto& path : paths) {
    EXPECT_FALSE(std::filesystem::exists(path)) << path;
    EXPECT_TRUE(processes_mentioning(path).empty()) << path;
  }
}

TEST(GpgHomeSet, SharedModeIsOneHome) {
  std::string error;
  auto homes = gpg::HomeSet::create(gpg::KeyType::cv25519, gpg::HomeMode::shared, 4, &error);
  ASSERT_NE(homes, nullptr) << error;
  EXPECT_EQ(homes->paths().size(), 1u);
}

TEST(GpgHomeCleanup, RemoveStopsTheAgentAndDeletesTheDirectory) {
  std::string error;
  auto home = gpg::Home::create(gpg::KeyType::cv25519, &error);
  ASSERT_NE(home, nullptr) << error;
  const std::string path = home->path();
  gpg::DecryptorSet contexts;
  ASSERT_TRUE(gpg::Engine({{path}, home->fingerprint()}).run(4 * kKiB, 0, contexts).ok);
  ASSERT_FALSE(gpg::find_daemons(path).empty()) << "the decryption should have started an agent";
  ASSERT_FALSE(processes_mentioning(path).empty());

  EXPECT_EQ(home->remove(), "");
  EXPECT_TRUE(gpg::find_daemons(path).empty());
  EXPECT_TRUE(processes_mentioning(path).empty());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(home->remove(), "");  // idempotent
  EXPECT_TRUE(home->path().empty());
}

TEST(GpgHomeCleanup, DestructorCleansUpToo) {
  std::string path;
  {
    std::string error;
    auto home = gpg::Home::create(gpg::KeyType::cv25519, &error);
    ASSERT_NE(home, nullptr) << error;
    path = home->path();
    ASSERT_FALSE(gpg::find_daemons(path).empty());  // key generation started the agent
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(processes_mentioning(path).empty());
}

TEST(GpgHomeCleanup, FailedImportLeavesNothingAndMissingHomeFailsCleanly) {
  std::string error;
  EXPECT_EQ(gpg::Home::create_from_secret_key("not a key", &error), nullptr);
  EXPECT_FALSE(error.empty());

  // A home that was never created (or was removed under a running server): a clean failure.
  const gpg::Decryption d = gpg::DecryptorSet().decrypt("/nonexistent-olg/home", "x");
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.text.find("is gone"), std::string::npos) << d.text;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-olg"));
  EXPECT_TRUE(processes_mentioning("/nonexistent-olg").empty());
}
