// Only the Host header HTTP/1.1 requires, as wrk sends: every further header is parsing work
// for the server under test, and the same bytes for every request.
#include "client/request.hpp"

namespace bench {

std::string get_request(const std::string& path, const std::string& host_header) {
  return "GET " + path + " HTTP/1.1\r\nHost: " + host_header + "\r\n\r\n";
}

bool valid_request_path(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  for (const char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return false;
  return true;
}

}  // namespace bench
