// GPGME driven by a libuv loop (AsyncDecryption over UvLoopIo): the digest is right, many
// decryptions run at once on one thread, a damaged ciphertext fails with GPGME's reason, and a
// cancelled one ends with no gpg process left.
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "gpg_async_decrypt.hpp"
#include "gpg_ciphertext_cache.hpp"
#include "gpg_home.hpp"
#include "gpg_payload.hpp"
#include "proc_files.hpp"
#include "uv_loop_io.hpp"

namespace gpg = workloads::gpg;

namespace {

// Live gpg processes (not the home's agent) whose command line names `home`.
int gpg_processes_in(const std::string& home) {
  return testsupport::count_processes("gpg", home);
}

class AsyncDecryptTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    home_ = gpg::Home::create(gpg::KeyType::cv25519, &error).release();
    ASSERT_NE(home_, nullptr) << error;
    cache_ = new gpg::CiphertextCache(home_->path(), home_->fingerprint());
  }
  static void TearDownTestSuite() {
    delete cache_;
    delete home_;
  }

  void SetUp() override {
    uv_loop_init(&loop_);
    io_ = std::make_unique<offload::UvLoopIo>(&loop_);
  }
  void TearDown() override {
    io_->close([] {});
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  static std::shared_ptr<const std::string> ciphertext(std::size_t bytes) {
    std::string error;
    auto entry = cache_->get(bytes, &error);
    EXPECT_TRUE(entry) << error;
    return std::shared_ptr<const std::string>(entry, &entry->ciphertext);
  }
  static std::string expected_sha(std::size_t bytes) {
    std::string error;
    return cache_->get(bytes, &error)->plaintext_sha256;
  }

  struct Run {
    std::unique_ptr<gpg::AsyncDecryption> op;
    std::optional<gpg::Decryption> result;
  };
  void start(Run& run, std::shared_ptr<const std::string> text) {
    std::string error;
    run.op = gpg::AsyncDecryption::start(
        *io_, home_->path(), std::move(text), [&run](gpg::Decryption d) { run.result = d; },
        &error);
    ASSERT_TRUE(run.op) << error;
  }

  static gpg::Home* home_;
  static gpg::CiphertextCache* cache_;
  uv_loop_t loop_{};
  std::unique_ptr<offload::UvLoopIo> io_;
};
gpg::Home* AsyncDecryptTest::home_ = nullptr;
gpg::CiphertextCache* AsyncDecryptTest::cache_ = nullptr;

TEST_F(AsyncDecryptTest, TheDigestIsThePayloadsAtEachSize) {
  for (std::size_t bytes : {std::size_t{1}, std::size_t{4096}, std::size_t{1} << 20}) {
    Run run;
    start(run, ciphertext(bytes));
    EXPECT_FALSE(run.result) << "done must not run inside start()";
    uv_run(&loop_, UV_RUN_DEFAULT);
    ASSERT_TRUE(run.result) << bytes;
    EXPECT_TRUE(run.result->ok) << run.result->text;
    EXPECT_EQ(run.result->bytes, bytes);
    EXPECT_EQ(run.result->sha256, expected_sha(bytes));
    EXPECT_EQ(run.result->text,
              "decrypted " + std::to_string(bytes) + " bytes sha256=" + expected_sha(bytes) + "\n");
    EXPECT_GT(run.op->loop_us(), 0u);
    EXPECT_EQ(io_->watches(), 0u) << "every descriptor GPGME gave is unwatched";
  }
}

TEST_F(AsyncDecryptTest, ManyAtOnceOnOneThread) {
  constexpr int kJobs = 8;
  std::vector<Run> runs(kJobs);
  for (auto& run : runs) start(run, ciphertext(64 * 1024));
  // All eight are in flight together: each has its gpg pipes watched before any ends.
  EXPECT_GE(io_->watches(), static_cast<std::size_t>(kJobs));
  uv_run(&loop_, UV_RUN_DEFAULT);
  for (const auto& run : runs) {
    ASSERT_TRUE(run.result);
    EXPECT_TRUE(run.result->ok) << run.result->text;
    EXPECT_EQ(run.result->sha256, expected_sha(64 * 1024));
  }
}

TEST_F(AsyncDecryptTest, ADamagedCiphertextFailsWithGpgmesReason) {
  Run run;
  start(run, std::make_shared<const std::string>(gpg::corrupt_ciphertext(*ciphertext(4096))));
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_TRUE(run.result);
  EXPECT_FALSE(run.result->ok);
  EXPECT_NE(run.result->text.find("decrypt:"), std::string::npos) << run.result->text;
  EXPECT_EQ(run.result->text.find('\n'), std::string::npos) << "one line";
}

TEST_F(AsyncDecryptTest, CancelledEndsWithNoGpgLeft) {
  Run run;
  start(run, ciphertext(16 << 20));  // long enough to be cancelled mid-way
  // Let it get going until its gpg runs. GPGME's spawn forks twice and returns before the
  // grandchild execs gpg: cancelled earlier, a gpg could appear after the check below.
  const auto started = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!run.result && gpg_processes_in(home_->path()) == 0 &&
         std::chrono::steady_clock::now() < started)
    uv_run(&loop_, UV_RUN_NOWAIT);
  ASSERT_FALSE(run.result) << "finished before it could be cancelled";
  ASSERT_EQ(gpg_processes_in(home_->path()), 1) << "its gpg never started";
  run.op->cancel();
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_TRUE(run.result);
  EXPECT_FALSE(run.result->ok);
  EXPECT_NE(run.result->text.find("ancel"), std::string::npos) << run.result->text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gpg_processes_in(home_->path()) > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(gpg_processes_in(home_->path()), 0) << "the cancelled gpg is gone";
}

}  // namespace
