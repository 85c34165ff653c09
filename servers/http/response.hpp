// A response as the router builds it, and its serialisation to HTTP/1.1 bytes.
#pragma once

#include <string>
#include <string_view>

namespace http {

struct Response {
  int status = 200;
  std::string body;
  std::string_view content_type = "text/plain";
  bool close = false;      // close the connection after this response
  int retry_after_s = 0;   // > 0: send Retry-After (overload, shutdown)
  std::string_view allow;  // non-empty: send Allow (405)
};

// A response whose body is the one-line reason, e.g. for 4xx and 5xx answers.
Response error_response(int status, std::string_view reason, bool close = false);

// Appends the response's bytes to `out`, with a Date header as RFC 9110 asks of an origin
// server with a clock. `head_only` leaves the body out (HEAD) but keeps its
// Content-Length; `keep_alive` false adds "Connection: close"; an HTTP/1.0 client that asked
// to keep the connection gets "Connection: keep-alive".
void append_response(std::string& out, const Response& response, bool head_only, bool keep_alive,
                     int request_minor_version);

}  // namespace http
