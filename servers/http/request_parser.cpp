// Request parsing in two layers: a strict scan of the head's bytes for what http_parser 2.9
// tolerates but RFC 9112 forbids (obs-fold, bare CR, whitespace before a colon, stray control
// bytes), then http_parser for the fields and Content-Length, then the
// framing rules judged from the headers before anything is routed. A body is then read to its
// end (Content-Length counted, chunked decoded by ChunkedBody) before the request is judged.
#include "request_parser.hpp"

#include <algorithm>
#include <cstring>

#include "token.hpp"

namespace http {

namespace {

// The longest registered method is 17 bytes (UPDATEREDIRECTREF). A longer one is noise, and
// refusing it is a framing matter (400), not a head-size one (431).
constexpr std::size_t kMaxMethodBytes = 32;

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool valid_host(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != '\0' && std::strchr("-._~!$&'()*+,;=:[]%", c) != nullptr);
  });
}

// Skips the empty lines a client may send before a request (RFC 9112, section 2.2).
std::size_t skip_blank_lines(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size()) {
    if (data[i] == '\n') {
      ++i;
    } else if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// Position just past the empty line that ends the head, or npos. Lines may end in CRLF or in
// a lone LF (RFC 9112 lets a recipient accept LF); a bare CR is rejected by the lint.
std::size_t find_head_end(std::string_view data, std::size_t from) {
  for (std::size_t i = from; i < data.size(); ++i) {
    const void* nl = std::memchr(data.data() + i, '\n', data.size() - i);
    if (nl == nullptr) return std::string_view::npos;
    i = static_cast<std::size_t>(static_cast<const char*>(nl) - data.data());
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

struct LintError {
  int status = 0;  // 0: none
  const char* reason = "";
};

// The request line: method SP request-target SP HTTP-version, single spaces.
LintError lint_request_line(std::string_view line, std::string_view& method) {
  const auto sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return {400, "malformed request line"};
  method = line.substr(0, sp1);
  if (!std::all_of(method.begin(), method.end(), [](unsigned char c) { return is_tchar(c); }))
    return {400, "malformed method"};
  if (method.size() > kMaxMethodBytes) return {400, "method too long"};
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return {400, "malformed request line"};
  // http_parser takes bytes above 0x7f in a target; RFC 3986 has none (they are %-encoded).
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!std::all_of(target.begin(), target.end(),
                   [](unsigned char c) { return c > 0x20 && c < 0x7f; }))
    return {400, "request target is not visible ASCII"};
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[5] < '0' ||
      version[5] > '9' || version[6] != '.' || version[7] < '0' || version[7] > '9')
    return {400, "malformed HTTP version"};
  if (version[5] != '1') return {505, "only HTTP/1.0 and HTTP/1.1 are supported"};
  return {};
}

// Bytes and line shapes http_parser lets through but RFC 9112 forbids.
LintError lint_head(std::string_view head, std::string_view& method) {
  bool first_line = true;
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    for (const unsigned char c : line) {
      if (c == '\0') return {400, "NUL byte in request head"};
      if (c == '\r') return {400, "bare CR in request head"};
      if ((c < 0x20 && c != '\t') || c == 0x7f) return {400, "control character in request head"};
    }
    if (first_line) {
      first_line = false;
      const LintError e = lint_request_line(line, method);
      if (e.status != 0) return e;
      continue;
    }
    if (line.empty()) break;  // the head's final empty line
    if (line.front() == ' ' || line.front() == '\t')
      return {400, "obsolete line folding in a header is not accepted"};
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return {400, "header line without a colon"};
    if (colon == 0) return {400, "empty header name"};
    for (std::size_t i = 0; i < colon; ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (c == ' ' || c == '\t') return {400, "whitespace between header name and colon"};
      if (!is_tchar(c)) return {400, "invalid character in header name"};
    }
  }
  return {};
}

}  // namespace

// http_parser's C callbacks, each a one-line trampoline into the parser object.
struct ParserCallbacks {
  static RequestParser& self(http_parser* p) { return *static_cast<RequestParser*>(p->data); }

  static int on_url(http_parser* p, const char* at, std::size_t len) {
    self(p).request_.target.append(at, len);
    return 0;
  }
  static int on_header_field(http_parser* p, const char* at, std::size_t len) {
    self(p).field_ = std::string_view(at, len);
    return 0;
  }
  static int on_header_value(http_parser* p, const char* at, std::size_t len) {
    self(p).on_header(std::string_view(at, len));
    return 0;
  }
  static int on_headers_complete(http_parser* p) {
    self(p).headers_done_ = true;
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    self(p).message_done_ = true;
    http_parser_pause(p, 1);  // one request per parse(); pipelined bytes stay with the caller
    return 0;
  }

  static const http_parser_settings& settings() {
    static const http_parser_settings s = [] {
      http_parser_settings v{};
      v.on_url = on_url;
      v.on_header_field = on_header_field;
      v.on_header_value = on_header_value;
      v.on_headers_complete = on_headers_complete;
      v.on_message_complete = on_message_complete;
      return v;
    }();
    return s;
  }
};

RequestParser::RequestParser(Limits limits)
    : limits_(limits), chunked_(limits.max_body_bytes, limits.max_head_bytes) {
  reset();
}

void RequestParser::reset() {
  phase_ = Phase::head;
  scan_from_ = 0;
  body_left_ = 0;
  chunked_.reset();
  request_ = Request{};
  field_ = {};
  host_count_ = 0;
  host_ = {};
  content_length_count_ = 0;
  content_length_ = {};
  content_length_differs_ = false;
  transfer_encoding_count_ = 0;
  transfer_encoding_ = {};
  headers_done_ = false;
  message_done_ = false;
}

bool RequestParser::started(std::string_view data) const {
  return phase_ != Phase::head || !data.empty();
}

RequestParser::Step RequestParser::fail(int status, std::string reason) {
  error_.status = status;
  error_.reason = std::move(reason);
  reset();
  return Step::error;
}

RequestParser::Step RequestParser::parse(std::string_view data) {
  consumed_ = 0;
  return phase_ == Phase::head ? parse_head(data) : parse_body(data);
}

void RequestParser::on_header(std::string_view value) {
  value = trim_ows(value);
  if (iequals(field_, "host")) {
    ++host_count_;
    host_ = value;
  } else if (iequals(field_, "content-length")) {
    if (content_length_count_++ > 0 && value != content_length_) content_length_differs_ = true;
    content_length_ = value;
  } else if (iequals(field_, "transfer-encoding")) {
    ++transfer_encoding_count_;
    transfer_encoding_ = value;
  }
}

RequestParser::Step RequestParser::parse_head(std::string_view data) {
  const std::size_t start = skip_blank_lines(data);
  const std::size_t end = find_head_end(data, std::max(scan_from_, start));
  if (end == std::string_view::npos) {
    // Refuse what cannot become a request line (a TLS hello, binary noise) now, instead of
    // holding the connection until the header timeout.
    std::size_t i = start;
    for (; i < data.size() && data[i] != ' '; ++i)
      if (!is_tchar(static_cast<unsigned char>(data[i]))) return fail(400, "malformed method");
    if (i - start > kMaxMethodBytes) return fail(400, "method too long");
    if (data.size() - start > limits_.max_head_bytes)
      return fail(431, "request line and headers exceed " + std::to_string(limits_.max_head_bytes) +
                           " bytes");
    consumed_ = start;  // blank lines before a request are dropped as they come
    const std::size_t kept = data.size() - start;
    scan_from_ = kept >= 2 ? kept - 2 : 0;  // the terminator may straddle two reads
    return Step::need_more;
  }
  std::string_view head = data.substr(start, end - start);
  if (head.size() > limits_.max_head_bytes)
    return fail(431, "request line and headers exceed " + std::to_string(limits_.max_head_bytes) +
                         " bytes");

  request_ = Request{};  // the previous request stayed readable until now
  std::string_view method;
  if (const LintError e = lint_head(head, method); e.status != 0) return fail(e.status, e.reason);

  // http_parser knows a fixed list of methods and rejects others as malformed; an unknown but
  // well-formed method deserves 405 after the same framing checks, so http_parser sees GET.
  std::string substituted;
  request_.method_name.assign(method);
  if (method == "GET") {
    request_.method = Method::get;
  } else if (method == "HEAD") {
    request_.method = Method::head;
  } else {
    request_.method = Method::other;
    substituted.reserve(head.size());
    substituted.append("GET");
    substituted.append(head.substr(method.size()));
    head = substituted;
  }

  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  // HEAD's response has no body, but the request framing is the same as GET's.
  http_parser_execute(&parser_, &ParserCallbacks::settings(), head.data(), head.size());
  const auto err = HTTP_PARSER_ERRNO(&parser_);
  if (err != HPE_OK && err != HPE_PAUSED) return fail(400, http_errno_description(err));
  if (!headers_done_) return fail(400, "incomplete request head");
  if (!check_framing()) return Step::error;
  request_.keep_alive = http_should_keep_alive(&parser_) != 0;

  if (message_done_) {
    consumed_ = end;
    reset_keep_request();
    return Step::request;
  }
  if ((parser_.flags & F_CHUNKED) != 0) {
    phase_ = Phase::chunked_body;
  } else {
    // A length past the limit is refused now: the head is complete, the body need not be.
    if (parser_.content_length > limits_.max_body_bytes)
      return fail(413,
                  "request body longer than " + std::to_string(limits_.max_body_bytes) + " bytes");
    phase_ = Phase::length_body;
    body_left_ = parser_.content_length;
  }
  const Step step = parse_body(data.substr(end));
  consumed_ += end;
  return step;
}

RequestParser::Step RequestParser::parse_body(std::string_view data) {
  if (phase_ == Phase::length_body) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, data.size()));
    body_left_ -= n;
    consumed_ = n;
    if (body_left_ > 0) return Step::need_more;
  } else {
    const auto step = chunked_.feed(data);
    consumed_ = chunked_.consumed();
    if (step == ChunkedBody::Step::need_more) return Step::need_more;
    if (step == ChunkedBody::Step::error)
      return fail(chunked_.error_status(), chunked_.error_reason());
    if (!chunked_.had_data()) {  // only the last chunk: no body
      reset_keep_request();
      return Step::request;
    }
  }
  // Read to its end, so the framing was sound; only now is the body itself refused.
  return fail(413, "request bodies are not accepted");
}

bool RequestParser::check_framing() {
  if (transfer_encoding_count_ > 0) {
    if (content_length_count_ > 0) {
      fail(400, "both Content-Length and Transfer-Encoding");
      return false;
    }
    if (parser_.http_minor == 0) {
      fail(400, "Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    if (transfer_encoding_count_ > 1 || !iequals(transfer_encoding_, "chunked")) {
      fail(400, "unsupported Transfer-Encoding (only a single chunked is accepted)");
      return false;
    }
  }
  if (content_length_differs_) {
    fail(400, "conflicting Content-Length headers");
    return false;
  }
  if (content_length_count_ > 0 &&
      (content_length_.empty() || !std::all_of(content_length_.begin(), content_length_.end(),
                                               [](char c) { return c >= '0' && c <= '9'; }))) {
    fail(400, "invalid Content-Length");
    return false;
  }
  if (parser_.http_minor >= 1) {
    if (host_count_ == 0) {
      fail(400, "missing Host header");
      return false;
    }
    if (host_count_ > 1) {
      fail(400, "more than one Host header");
      return false;
    }
  }
  if (host_count_ == 1 && host_.empty()) {
    fail(400, "empty Host header");
    return false;
  }
  if (host_count_ > 1 || !valid_host(host_)) {
    fail(400, "invalid Host header");
    return false;
  }
  request_.version_minor = parser_.http_minor;

  http_parser_url url;
  http_parser_url_init(&url);
  if (request_.target.empty() || request_.target == "*" ||
      http_parser_parse_url(request_.target.data(), request_.target.size(), 0, &url) != 0) {
    fail(400, "invalid request target");
    return false;
  }
  if ((url.field_set & (1 << UF_PATH)) != 0) {
    request_.path.assign(request_.target, url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
  } else {
    request_.path = "/";
  }
  if ((url.field_set & (1 << UF_QUERY)) != 0)
    request_.query.assign(request_.target, url.field_data[UF_QUERY].off,
                          url.field_data[UF_QUERY].len);
  return true;
}

void RequestParser::reset_keep_request() {
  Request keep = std::move(request_);
  reset();
  request_ = std::move(keep);
}

}  // namespace http
