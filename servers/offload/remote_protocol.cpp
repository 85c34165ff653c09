// Subjects, headers and heartbeats of the remote strategy (remote_protocol.hpp).
#include "remote_protocol.hpp"

#include <algorithm>
#include <charconv>

#include "nats_client.hpp"
#include "wire.hpp"

namespace offload::remote {

namespace {

bool number(const std::string& text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string subject_token(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '.' || c == '*' || c == '>' || static_cast<unsigned char>(c) <= ' ') c = '_';
  return out.empty() ? "_" : out;
}

std::string job_subject(std::string_view workload) {
  return "offload.jobs." + subject_token(workload);
}

std::string heartbeat_subject(std::string_view workload) {
  return "offload.heartbeat." + subject_token(workload);
}

std::map<std::string, std::string> heartbeat_headers(const Heartbeat& beat) {
  std::map<std::string, std::string> h = {{kWorkerHeader, beat.worker},
                                          {kHeartbeatMsHeader, std::to_string(beat.interval_ms)},
                                          {kConcurrencyHeader, std::to_string(beat.concurrency)},
                                          {kBusyHeader, std::to_string(beat.busy)}};
  if (beat.leaving) h[kLeavingHeader] = "1";
  return h;
}

bool read_heartbeat(natsMsg* msg, Heartbeat& out) {
  out.worker = natsc::header(msg, kWorkerHeader);
  std::uint64_t concurrency = 0, busy = 0;
  if (out.worker.empty() || out.worker.size() > kMaxWorkerIdBytes ||
      !number(natsc::header(msg, kHeartbeatMsHeader), out.interval_ms) || out.interval_ms == 0 ||
      out.interval_ms > kMaxHeartbeatMs)
    return false;
  // Capacity and load are informative: a worker that leaves them out still counts as alive.
  number(natsc::header(msg, kConcurrencyHeader), concurrency);
  number(natsc::header(msg, kBusyHeader), busy);
  if (concurrency > kMaxConcurrency) return false;
  out.concurrency = static_cast<unsigned>(concurrency);
  out.busy = static_cast<unsigned>(std::min<std::uint64_t>(busy, 1'000'000));
  out.leaving = natsc::header(msg, kLeavingHeader) == "1";
  return true;
}

std::uint64_t accepted_interval_ms(natsMsg* msg) {
  std::uint64_t interval = 0;
  if (!number(natsc::header(msg, kHeartbeatMsHeader), interval)) return 0;
  return std::min(interval, kMaxHeartbeatMs);
}

ReplyKind classify_reply(natsMsg* msg) {
  if (natsMsg_IsNoResponders(msg)) return ReplyKind::no_responders;
  if (natsc::header(msg, kWorkerHeader).empty()) return ReplyKind::malformed;
  return natsMsg_GetDataLength(msg) == 0 ? ReplyKind::accepted : ReplyKind::result;
}

bool frame_payload(std::string_view body, std::string_view& payload) {
  wire::FrameReader reader;
  reader.feed(body.data(), body.size());
  if (reader.next(payload) != wire::FrameReader::Status::frame) return false;
  if (reader.buffered() != 0) return false;
  // The reader's buffer dies with it: point into the caller's body instead.
  payload = body.substr(body.size() - payload.size());
  return true;
}

}  // namespace offload::remote
