// Test support: HTTP over a raw loopback socket, byte for byte, for what a library client
// would refuse to send (malformed, pipelined, slow, half-closed requests).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace testsupport {

struct Reply {
  int status = 0;
  std::string version;                         // "HTTP/1.1"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool has(const std::string& name) const { return headers.count(name) != 0; }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A blocking client socket to 127.0.0.1:port with read timeouts.
class RawConnection {
 public:
  // tiny_window: a 4 KiB receive buffer and 536-byte segments (the kernel sizes the server's
  // send buffer from the segment size), so that the server's answers back up after ~100 KiB
  // when the test does not read, instead of after megabytes.
  explicit RawConnection(int port, bool tiny_window = false);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send(const std::string& bytes);  // false if the peer is gone
  void shutdown_write();
  // Reads one response (head + Content-Length body). For HEAD requests pass head_only.
  std::optional<Reply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                  bool head_only = false);
  // Reads until the server closes (true) or the timeout passes (false); bytes go to `out`.
  bool read_until_closed(std::string& out,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int fd() const { return fd_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection; the reply, or nullopt if none came.
std::optional<Reply> roundtrip(int port, const std::string& request,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// "GET target HTTP/1.1" with a Host header (and `extra` header lines, each ending in CRLF).
std::string get_request(const std::string& target, const std::string& extra = "");

// A sample from the server's /metrics: the first line that starts with `name` and a space
// (so no labels), or -1 when there is none or no answer.
double metric(int port, const std::string& name);
// The same from an exposition already fetched; `series` may carry labels
// (`offload_job_service_seconds_count{strategy="thread"}`), written as the server writes them.
double sample(const std::string& exposition, const std::string& series);
// The worker processes running a job in an exposition, as pid -> slot (from
// offload_worker_busy{slot} and offload_worker_pid{slot}).
std::map<int, int> busy_workers(const std::string& exposition);

// Splits a byte stream into replies (each must carry Content-Length).
std::vector<Reply> parse_replies(const std::string& bytes);

}  // namespace testsupport
