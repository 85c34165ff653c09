// Turns the bytes a connection has buffered into requests, one at a time, strictly enough that
// a request cannot be framed two ways (RFC 9112's MUSTs; framing is where smuggling lives).
// No network, no libuv: a pure function of the bytes, so it is unit-tested and fuzzed alone.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chunked_body.hpp"
#include "request.hpp"

namespace http {

struct Limits {
  // Request line + headers. Past this: 431. 8 KiB is what common servers allow by default and
  // bounds what one slow or hostile connection can make us hold.
  std::size_t max_head_bytes = 8192;
  // A body is read to its end before the request is answered (413: no endpoint takes one),
  // so that its framing is judged first. A Content-Length past this is refused right after
  // the head instead; a chunked body when its sizes pass it.
  std::size_t max_body_bytes = 64 * 1024;
};

struct ParseError {
  int status = 400;
  std::string reason;  // one line, no newline
};

class RequestParser {
 public:
  enum class Step { need_more, request, error };

  explicit RequestParser(Limits limits = {});
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Reads the connection's unconsumed bytes and completes at most one request. Afterwards
  // consumed() bytes of `data` belong to this parser and must be dropped by the caller; on
  // need_more, call again with those bytes dropped and more appended. After `request` or
  // `error` the parser is ready for the next request (an error should end the connection).
  Step parse(std::string_view data);

  std::size_t consumed() const { return consumed_; }
  const Request& request() const { return request_; }
  const ParseError& error() const { return error_; }
  // True once any byte of the next request has arrived (for the header timeout).
  bool started(std::string_view data) const;

 private:
  friend struct ParserCallbacks;

  Step parse_head(std::string_view data);
  Step parse_body(std::string_view data);
  Step fail(int status, std::string reason);
  bool check_framing();
  void on_header(std::string_view value);
  void reset();
  void reset_keep_request();  // ready for the next request, the finished one still readable

  Limits limits_;
  enum class Phase { head, length_body, chunked_body } phase_ = Phase::head;
  std::size_t scan_from_ = 0;  // where to resume the search for the head's end
  std::size_t consumed_ = 0;
  std::uint64_t body_left_ = 0;  // Content-Length body: bytes still due
  ChunkedBody chunked_;

  http_parser parser_{};
  Request request_;
  ParseError error_;

  // What the callbacks collect from one head: views into the head's bytes, valid during
  // parse_head only. http_parser sees nothing but a complete head (bodies are decoded by
  // ChunkedBody), so no view can outlive the read it points into.
  std::string_view field_;
  int host_count_ = 0;
  std::string_view host_;
  int content_length_count_ = 0;
  std::string_view content_length_;
  bool content_length_differs_ = false;
  int transfer_encoding_count_ = 0;
  std::string_view transfer_encoding_;
  bool headers_done_ = false;
  bool message_done_ = false;
};

}  // namespace http
