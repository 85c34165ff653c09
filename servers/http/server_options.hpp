// The front end's limits and timeouts, shared by the Server and its connections.
#pragma once

#include <cstddef>
#include <cstdint>

#include "request_parser.hpp"

namespace http {

struct ServerOptions {
  Limits limits;
  std::uint64_t idle_timeout_ms = 60'000;  // no request in progress
  // From a request's first byte to its last header line: slowloris protection.
  std::uint64_t header_timeout_ms = 10'000;
  // After a final response, how long to read and discard what the client still sends so that
  // closing does not reset the connection under the response (lingering close).
  std::uint64_t linger_ms = 2'000;
  // Connections held at once (0: no cap). Past it a new client is accepted and closed at
  // once, so it learns now rather than from a timeout, and the descriptors left over stay for
  // the pool's pipes and the workers.
  std::size_t max_connections = 0;
};

}  // namespace http
