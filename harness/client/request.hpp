// The bytes of one GET request, built once per stream and written as-is for every call.
#pragma once

#include <string>

namespace bench {

// HTTP/1.1 keep-alive GET of `path` with a Host header for `host_header` (host:port).
std::string get_request(const std::string& path, const std::string& host_header);

// Whether `path` may go on a request line as given: starts with '/', printable, no spaces.
bool valid_request_path(const std::string& path);

}  // namespace bench
