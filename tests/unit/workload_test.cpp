// The workload interface as the process pool uses it: every workload's parameters survive the
// trip through a job frame, and a frame for another workload, or with parameters its workload
// cannot read, is a protocol error (the worker process exits on it).
#include <gtest/gtest.h>

#include <set>

#include "wire.hpp"
#include "workload_registry.hpp"

namespace {

// `job` through a real frame: encoded, split into a stream, read back, decoded by `workload`.
workloads::Job through_the_wire(const workloads::Workload& sender, const workloads::Job& job,
                                const workloads::Workload& receiver) {
  const std::string bytes = wire::encode(wire::JobMessage{5, sender.name(), job->encode()});
  wire::FrameReader reader;
  reader.feed(bytes.data(), bytes.size());
  std::string_view payload;
  if (reader.next(payload) != wire::FrameReader::Status::frame) return nullptr;
  wire::JobMessage message;
  if (!wire::decode(payload, message) || message.id != 5) return nullptr;
  return wire::job_of(message, receiver);
}

std::unique_ptr<workloads::Workload> configured(const std::string& name,
                                                const workloads::Settings& settings = {}) {
  auto w = workloads::make_workload(name);
  if (w) {
    EXPECT_EQ(w->configure(settings), "") << name;
  }
  return w;
}

TEST(WorkloadRegistry, NamesAreUniqueAndEachMakesItself) {
  std::set<std::string> names;
  for (const auto& name : workloads::workload_names()) {
    EXPECT_TRUE(names.insert(name).second) << "two workloads named " << name;
    const auto w = workloads::make_workload(name);
    ASSERT_NE(w, nullptr) << name;
    EXPECT_EQ(w->name(), name) << "the frame names a workload by what name() says";
    EXPECT_FALSE(w->ready_fields().empty()) << name;
  }
  EXPECT_GE(names.size(), 2u);
  EXPECT_EQ(workloads::make_workload("nope"), nullptr);
  EXPECT_NE(workloads::workload_choices().find(" or "), std::string::npos);
}

TEST(WorkloadWire, FibParamsRoundTrip) {
  const auto fib = configured("fib", {{"max-n", "92"}});
  for (const char* query : {"n=1", "n=30", "n=92"}) {
    workloads::Job job;
    ASSERT_EQ(fib->parse(query, &job), "") << query;
    const workloads::Job back = through_the_wire(*fib, job, *fib);
    ASSERT_NE(back, nullptr) << query;
    EXPECT_EQ(back->describe(), job->describe());
    EXPECT_EQ(back->encode(), job->encode());
  }
  workloads::Job job;
  ASSERT_EQ(fib->parse("n=25", &job), "");
  const auto back = through_the_wire(*fib, job, *fib);
  ASSERT_NE(back, nullptr);
  const auto worker = fib->make_worker(0);
  EXPECT_EQ(workloads::run(*worker, *back).text, "answer is >>> 75025\n");
}

// The parameters only: nothing here starts GnuPG (no homes are made, nothing is decrypted).
TEST(WorkloadWire, GpgParamsRoundTrip) {
  const auto gpg = configured(
      "gpg",
      {{"payload-bytes", "4096"}, {"max-payload-bytes", "16777216"}, {"allow-corrupt", "1"}});
  for (const char* query : {"", "bytes=1", "bytes=64k", "bytes=16m&corrupt=1", "corrupt=1"}) {
    workloads::Job job;
    ASSERT_EQ(gpg->parse(query, &job), "") << query;
    const workloads::Job back = through_the_wire(*gpg, job, *gpg);
    ASSERT_NE(back, nullptr) << query;
    EXPECT_EQ(back->describe(), job->describe()) << query;
    EXPECT_EQ(back->encode(), job->encode()) << query;
  }
  workloads::Job plain, damaged;
  ASSERT_EQ(gpg->parse("bytes=4k", &plain), "");
  ASSERT_EQ(gpg->parse("bytes=4k&corrupt=1", &damaged), "");
  EXPECT_EQ(plain->describe(), "gpg decrypt of 4096 bytes");
  EXPECT_NE(plain->encode(), damaged->encode()) << "the corrupt switch must cross the wire";
}

TEST(WorkloadWire, AFrameForAnotherOrAnUnknownWorkloadIsAProtocolError) {
  const auto fib = configured("fib");
  const auto gpg = configured("gpg");
  workloads::Job job;
  ASSERT_EQ(fib->parse("n=20", &job), "");
  EXPECT_EQ(through_the_wire(*fib, job, *gpg), nullptr) << "a fib job sent to a gpg worker";
  wire::JobMessage unknown{1, "nope", job->encode()};
  EXPECT_EQ(wire::job_of(unknown, *fib), nullptr);
  // The right name on the wrong bytes is no better.
  wire::JobMessage mislabelled{1, "gpg", job->encode()};
  EXPECT_EQ(wire::job_of(mislabelled, *gpg), nullptr);
}

// A decoder must not take bytes that are not its encoding for the job they resemble: one byte
// more or less is refused, or read as another job (a free-text parameter), never as the same.
TEST(WorkloadWire, ParamsAWorkloadCannotReadAreRefused) {
  for (const auto& name : workloads::workload_names()) {
    const auto w = configured(name);
    workloads::Job job;
    ASSERT_EQ(w->parse("", &job), "") << name;
    const std::string good = job->encode();
    ASSERT_NE(w->decode(good), nullptr) << name;
    std::vector<std::string> broken = {good + "x"};
    if (!good.empty()) broken.push_back(good.substr(0, good.size() - 1));
    for (const auto& bytes : broken) {
      const workloads::Job other = w->decode(bytes);
      if (other) {
        EXPECT_NE(other->encode(), good) << name << ": " << bytes.size() << " bytes";
      }
    }
  }
  // fib and gpg have fixed layouts: anything else is refused outright.
  for (const char* name : {"fib", "gpg"}) {
    const auto w = configured(name);
    workloads::Job job;
    ASSERT_EQ(w->parse("", &job), "");
    const std::string good = job->encode();
    EXPECT_EQ(w->decode(good + "x"), nullptr) << name << ": trailing byte";
    EXPECT_EQ(w->decode(good.substr(0, good.size() - 1)), nullptr) << name << ": cut short";
  }
  const auto fib = configured("fib");
  EXPECT_EQ(fib->decode(std::string(4, '\0')), nullptr) << "fib(0)";
  EXPECT_EQ(fib->decode(std::string("\xff\xff\xff\xff", 4)), nullptr) << "fib(2^32-1)";
  const auto gpg = configured("gpg");
  EXPECT_EQ(gpg->decode(std::string("\x00\x10\x00\x00\x02", 5)), nullptr) << "unknown flag";
  EXPECT_EQ(gpg->decode(std::string(5, '\0')), nullptr) << "an empty payload";
}

TEST(WorkloadWorker, AWorkerGivenAnotherWorkloadsJobFailsWithoutCrashing) {
  const auto fib = configured("fib");
  const auto gpg = configured("gpg");
  workloads::Job gpg_job;
  ASSERT_EQ(gpg->parse("", &gpg_job), "");
  const auto worker = fib->make_worker(0);
  const workloads::Result r = workloads::run(*worker, *gpg_job);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.text.empty());
}

TEST(WorkloadParse, GpgQueryRulesAreTheServersOldOnes) {
  const auto gpg = configured("gpg", {{"max-payload-bytes", "65536"}});
  workloads::Job job;
  for (const char* bad : {"bytes=0", "bytes=abc", "bytes=1g", "bytes=-4k", "bytes=65537"})
    EXPECT_NE(gpg->parse(bad, &job).find("bytes must be a size from 1 to 64k"), std::string::npos)
        << bad;
  EXPECT_NE(gpg->parse("bytes=4k&bytes=8k", &job).find("more than once"), std::string::npos);
  EXPECT_NE(gpg->parse("corrupt=1", &job).find("--allow-corrupt"), std::string::npos)
      << "corrupt= only when the server allows it";
}

}  // namespace
