// Serialising responses: one append per piece, no formatting library on the hot path.
#include "response.hpp"

#include <charconv>

#include "http_date.hpp"
#include "status.hpp"

namespace http {

namespace {

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

}  // namespace

Response error_response(int status, std::string_view reason, bool close) {
  Response r;
  r.status = status;
  r.body.reserve(reason.size() + 1);
  r.body.append(reason);
  r.body.push_back('\n');
  r.close = close;
  return r;
}

void append_response(std::string& out, const Response& response, bool head_only, bool keep_alive,
                     int request_minor_version) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::size_t>(response.status));
  out.push_back(' ');
  out.append(reason_phrase(response.status));
  out.append("\r\nServer: offload-lab\r\nDate: ");
  out.append(http_date_now());
  out.append("\r\nContent-Type: ");
  out.append(response.content_type);
  out.append("\r\nContent-Length: ");
  append_number(out, response.body.size());
  if (!keep_alive) {
    out.append("\r\nConnection: close");
  } else if (request_minor_version == 0) {
    out.append("\r\nConnection: keep-alive");
  }
  if (response.retry_after_s > 0) {
    out.append("\r\nRetry-After: ");
    append_number(out, static_cast<std::size_t>(response.retry_after_s));
  }
  if (!response.allow.empty()) {
    out.append("\r\nAllow: ");
    out.append(response.allow);
  }
  out.append("\r\n\r\n");
  if (!head_only) out.append(response.body);
}

}  // namespace http
