// What a remote server believes of the messages its workers send: heartbeats within the
// protocol's limits, an "accepted" reply's interval cut to the longest, and a table of workers
// that peers making up ids cannot grow without bound. Messages are built with nats.c, no broker.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <map>
#include <string>

#include "remote_protocol.hpp"
#include "remote_workers.hpp"

namespace {

using namespace offload::remote;

// A message with these headers (nats.c builds it without a connection); destroyed by the caller.
natsMsg* message(const std::map<std::string, std::string>& headers) {
  static const natsStatus opened = nats_Open(-1);  // the library's own state, once
  EXPECT_EQ(opened, NATS_OK);
  natsMsg* msg = nullptr;
  EXPECT_EQ(natsMsg_Create(&msg, "offload.heartbeat.fib", nullptr, nullptr, 0), NATS_OK);
  for (const auto& [name, value] : headers)
    EXPECT_EQ(natsMsgHeader_Set(msg, name.c_str(), value.c_str()), NATS_OK);
  return msg;
}

bool reads(const std::map<std::string, std::string>& headers, Heartbeat& beat) {
  natsMsg* msg = message(headers);
  const bool ok = read_heartbeat(msg, beat);
  natsMsg_Destroy(msg);
  return ok;
}

std::map<std::string, std::string> beat_headers(const std::string& id, const std::string& ms,
                                                const std::string& concurrency = "2") {
  return {{kWorkerHeader, id},
          {kHeartbeatMsHeader, ms},
          {kConcurrencyHeader, concurrency},
          {kBusyHeader, "1"}};
}

TEST(RemoteProtocol, AHeartbeatWithinTheLimitsIsRead) {
  Heartbeat beat;
  ASSERT_TRUE(reads(beat_headers("w1", "100"), beat));
  EXPECT_EQ(beat.worker, "w1");
  EXPECT_EQ(beat.interval_ms, 100u);
  EXPECT_EQ(beat.concurrency, 2u);
  EXPECT_EQ(beat.busy, 1u);
  EXPECT_FALSE(beat.leaving);
  ASSERT_TRUE(reads(beat_headers(std::string(kMaxWorkerIdBytes, 'x'),
                                 std::to_string(kMaxHeartbeatMs), std::to_string(kMaxConcurrency)),
                    beat));
}

TEST(RemoteProtocol, AHeartbeatPastTheLimitsIsNone) {
  Heartbeat beat;
  EXPECT_FALSE(reads(beat_headers("", "100"), beat));
  EXPECT_FALSE(reads(beat_headers(std::string(kMaxWorkerIdBytes + 1, 'x'), "100"), beat));
  EXPECT_FALSE(reads(beat_headers("w", "0"), beat));
  EXPECT_FALSE(reads(beat_headers("w", std::to_string(kMaxHeartbeatMs + 1)), beat));
  EXPECT_FALSE(reads(beat_headers("w", "99999999999999999999999"), beat));  // past 64 bits
  EXPECT_FALSE(reads(beat_headers("w", "1e3"), beat));
  EXPECT_FALSE(reads(beat_headers("w", "100", std::to_string(kMaxConcurrency + 1)), beat));
  EXPECT_FALSE(reads(beat_headers("w", "100", "4294967296"), beat));  // would wrap to 0
}

TEST(RemoteProtocol, AnAcceptedRepliesIntervalIsCutToTheLongest) {
  natsMsg* msg = message({{kWorkerHeader, "w"}, {kHeartbeatMsHeader, "100"}});
  EXPECT_EQ(accepted_interval_ms(msg), 100u);
  natsMsg_Destroy(msg);
  msg = message({{kWorkerHeader, "w"}, {kHeartbeatMsHeader, "3600000000"}});
  EXPECT_EQ(accepted_interval_ms(msg), kMaxHeartbeatMs);
  natsMsg_Destroy(msg);
  msg = message({{kWorkerHeader, "w"}, {kHeartbeatMsHeader, "soon"}});
  EXPECT_EQ(accepted_interval_ms(msg), 0u);
  natsMsg_Destroy(msg);
}

TEST(RemoteWorkerTable, MadeUpIdsCannotGrowItWithoutBound) {
  WorkerTable table;
  Heartbeat beat;
  beat.interval_ms = 1000;
  beat.concurrency = 1;
  for (std::size_t i = 0; i < WorkerTable::kMaxWorkers + 500; ++i) {
    beat.worker = "made-up-" + std::to_string(i);
    table.heard(beat, 1000);
  }
  EXPECT_EQ(table.live(1000).size(), WorkerTable::kMaxWorkers);
  // One already known is still heard (and still the same one entry); a new one is not.
  beat.worker = "made-up-0";
  beat.concurrency = 7;
  table.heard(beat, 1500);
  const auto live = table.live(1500);
  EXPECT_EQ(live.size(), WorkerTable::kMaxWorkers);
  EXPECT_EQ(live.at("made-up-0").concurrency, 7u);
  EXPECT_EQ(live.count("made-up-" + std::to_string(WorkerTable::kMaxWorkers)), 0u);
  table.accepted("another", 100, 1500);
  EXPECT_EQ(table.gone("another", 1500), "died") << "not taken in: not believed alive";
  // Once the made-up ones are forgotten, there is room again.
  table.forget_old(1000 + 20 * 5 * 1000 + 1);
  beat.worker = "real";
  table.heard(beat, 200'000);
  EXPECT_EQ(table.live(200'000).count("real"), 1u);
}

}  // namespace
