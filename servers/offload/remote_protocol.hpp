// What the remote strategy and offload-worker say to each other through NATS, written once.
//
//   job        request on offload.jobs.<workload>, queue group offload-workers (the broker hands
//              each job to one worker of the group); body: wire::encode(JobMessage), the process
//              pool's frame; reply subject: the server's inbox, one subject per attempt.
//   accepted   the worker, as it takes a job: an empty reply with headers Offload-Worker (its
//              id) and Offload-Heartbeat-Ms (how often it says it is alive). From then on the
//              job is that worker's, and it is lost if the worker falls silent.
//   result     the worker, when the job ends: wire::encode(ResultMessage) with Offload-Worker.
//   heartbeat  each worker, every Offload-Heartbeat-Ms: an empty message on
//              offload.heartbeat.<workload> with Offload-Worker, -Heartbeat-Ms, -Concurrency,
//              -Busy (jobs it holds) and, when it drains to leave, Offload-Leaving: 1.
//   no worker  nats-server itself answers a request nobody subscribes to with an empty
//              message carrying "Status: 503" (natsMsg_IsNoResponders).
#pragma once

#include <nats/nats.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace offload::remote {

inline constexpr const char* kQueueGroup = "offload-workers";
inline constexpr const char* kWorkerHeader = "Offload-Worker";
inline constexpr const char* kHeartbeatMsHeader = "Offload-Heartbeat-Ms";
inline constexpr const char* kConcurrencyHeader = "Offload-Concurrency";
inline constexpr const char* kBusyHeader = "Offload-Busy";
inline constexpr const char* kLeavingHeader = "Offload-Leaving";

// What a server believes of a worker: a heartbeat past these limits is not one (a peer that
// claimed a huge capacity would open the server's admission to unbounded work, and one with
// a huge interval would never be taken for dead), and an interval past the last is cut to it.
// offload-worker's own flags stay within them.
inline constexpr std::size_t kMaxWorkerIdBytes = 128;
inline constexpr std::uint64_t kMaxHeartbeatMs = 60'000;
inline constexpr std::uint64_t kMaxConcurrency = 256;

std::string job_subject(std::string_view workload);        // offload.jobs.<workload>
std::string heartbeat_subject(std::string_view workload);  // offload.heartbeat.<workload>

// A subject token may not hold '.', '*', '>' or white space: those become '_'.
std::string subject_token(std::string_view text);

struct Heartbeat {
  std::string worker;
  std::uint64_t interval_ms = 0;
  unsigned concurrency = 0;
  unsigned busy = 0;
  bool leaving = false;
};

std::map<std::string, std::string> heartbeat_headers(const Heartbeat& beat);
// False when the message is not a heartbeat: no worker id or one past kMaxWorkerIdBytes, no
// interval or one past kMaxHeartbeatMs, a concurrency past kMaxConcurrency.
bool read_heartbeat(natsMsg* msg, Heartbeat& out);
// The heartbeat interval an "accepted" reply carries, cut to kMaxHeartbeatMs; 0 when none.
std::uint64_t accepted_interval_ms(natsMsg* msg);

// A reply to a job: accepted (an empty body naming the worker), a result, or the broker's
// "no responders".
enum class ReplyKind { accepted, result, no_responders, malformed };
ReplyKind classify_reply(natsMsg* msg);

// A message body that is exactly one wire frame: its payload, for wire::decode. False when the
// body is anything else (a short body, a length that does not match).
bool frame_payload(std::string_view body, std::string_view& payload);

}  // namespace offload::remote
