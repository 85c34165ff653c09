// The process pool's wire format: length-prefixed frames over a worker's stdin (jobs) and
// stdout (results). The only place that knows the byte layout.
//
//   frame   = length:u32le payload[length]          1 <= length <= kMaxFrame
//   payload = type:u8 id:u64le body
//   job     = type 1, workload_len:u8 workload[workload_len] params[rest of the payload]
//   result  = type 2, ok:u8 run_us:u64le engine_us:u64le wait_ns:u64le service_ns:u64le
//             text_len:u32le text[text_len]
//
// A job names its workload and carries that workload's own encoding of its parameters
// (Params::encode), which nothing here reads: only the workload decodes it (job_of).
// A result carries durations measured by the worker on its own clock, never timestamps: the
// parent needs no clock shared with the worker (see the process pool for how it splits a job's
// time from them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "workload.hpp"

namespace wire {

// A frame larger than this is a protocol error (a confused or hostile peer), not a big job.
inline constexpr std::size_t kMaxFrame = 1 << 20;

struct JobMessage {
  std::uint64_t id = 0;
  std::string workload;  // its name, 1..255 bytes
  std::string params;    // opaque: the workload's encoding
};

struct ResultMessage {
  std::uint64_t id = 0;
  workloads::Result result;
  std::uint64_t wait_ns = 0;     // the job frame was read -> the job started
  std::uint64_t service_ns = 0;  // the job started -> it ended
};

std::string encode(const JobMessage& message);
std::string encode(const ResultMessage& message);

// False when the payload is not exactly one well-formed message of that type.
bool decode(std::string_view payload, JobMessage& out);
bool decode(std::string_view payload, ResultMessage& out);

// The job a decoded message carries for `workload`; null when the message names another
// workload or its parameters are not that workload's: a protocol error either way.
workloads::Job job_of(const JobMessage& message, const workloads::Workload& workload);

// Splits a byte stream into frame payloads.
class FrameReader {
 public:
  enum class Status { need_more, frame, error };

  void feed(const char* data, std::size_t len) { buffer_.append(data, len); }
  // On `frame`, `payload` holds the next payload (valid until the next call). On `error`,
  // the stream is unusable; error() says why.
  Status next(std::string_view& payload);
  const std::string& error() const { return error_; }
  std::size_t buffered() const { return buffer_.size() - offset_; }

 private:
  std::string buffer_;
  std::size_t offset_ = 0;
  std::string error_;
};

}  // namespace wire
