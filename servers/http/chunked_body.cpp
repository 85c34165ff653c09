// A byte-at-a-time state machine for chunked bodies. Stricter than http_parser 2.9, which
// (unless built strict) takes whitespace after a chunk size, any bytes as extensions, and
// data running past its chunk's size: each of those is how two parsers come to disagree
// about where a request ends.
#include "chunked_body.hpp"

#include "token.hpp"

namespace http {

namespace {

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

}  // namespace

void ChunkedBody::reset() {
  state_ = State::size_first;
  chunk_left_ = 0;
  data_total_ = 0;
  framing_ = 0;
  consumed_ = 0;
  error_status_ = 0;
  error_reason_ = "";
}

ChunkedBody::Step ChunkedBody::fail(int status, const char* reason) {
  error_status_ = status;
  error_reason_ = reason;
  return Step::error;
}

bool ChunkedBody::in_trailers() const {
  return state_ == State::trailer_first || state_ == State::trailer_name ||
         state_ == State::trailer_value || state_ == State::trailer_lf || state_ == State::final_lf;
}

ChunkedBody::Step ChunkedBody::feed(std::string_view data) {
  consumed_ = 0;
  std::size_t i = 0;
  while (i < data.size()) {
    if (state_ == State::data) {
      const std::uint64_t n = std::min<std::uint64_t>(chunk_left_, data.size() - i);
      chunk_left_ -= n;
      i += static_cast<std::size_t>(n);
      if (chunk_left_ == 0) state_ = State::data_cr;
      continue;
    }
    const auto c = static_cast<unsigned char>(data[i++]);
    if (++framing_ > max_framing_)
      return in_trailers() ? fail(431, "trailer section too long")
                           : fail(400, "chunk line too long");
    switch (state_) {
      case State::size_first:
      case State::size: {
        const int v = hex_value(c);
        if (v >= 0) {
          chunk_left_ = chunk_left_ * 16 + static_cast<unsigned>(v);
          // Checked per digit, so the size cannot overflow before it is refused.
          if (data_total_ + chunk_left_ > max_data_) return fail(413, "request body too large");
          state_ = State::size;
        } else if (state_ == State::size_first) {
          return fail(400, "invalid chunk size");
        } else if (c == ';') {
          state_ = State::ext_name_first;
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else if (c == ' ' || c == '\t') {
          return fail(400, "whitespace after a chunk size");
        } else {
          return fail(400, "invalid chunk size");
        }
        break;
      }
      case State::ext_name_first:
        if (!is_tchar(c)) return fail(400, "malformed chunk extension");
        state_ = State::ext_name;
        break;
      case State::ext_name:
        if (c == '=') {
          state_ = State::ext_value_first;
        } else if (c == ';') {
          state_ = State::ext_name_first;
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else if (!is_tchar(c)) {
          return fail(400, "malformed chunk extension");
        }
        break;
      case State::ext_value_first:
        if (c == '"') {
          state_ = State::ext_quoted;
        } else if (is_tchar(c)) {
          state_ = State::ext_token;
        } else {
          return fail(400, "malformed chunk extension");
        }
        break;
      case State::ext_token:
        if (c == ';') {
          state_ = State::ext_name_first;
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else if (!is_tchar(c)) {
          return fail(400, "malformed chunk extension");
        }
        break;
      case State::ext_quoted:
        if (c == '"') {
          state_ = State::ext_after_quoted;
        } else if (c == '\\') {
          state_ = State::ext_quoted_pair;
        } else if (!is_field_byte(c)) {
          return fail(400, "control character in a chunk extension");
        }
        break;
      case State::ext_quoted_pair:
        if (!is_field_byte(c)) return fail(400, "control character in a chunk extension");
        state_ = State::ext_quoted;
        break;
      case State::ext_after_quoted:
        if (c == ';') {
          state_ = State::ext_name_first;
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else {
          return fail(400, "malformed chunk extension");
        }
        break;
      case State::line_lf:
        if (c != '\n') return fail(400, "bare CR in a chunk line");
        if (chunk_left_ == 0) {
          state_ = State::trailer_first;  // the last chunk
        } else {
          data_total_ += chunk_left_;
          state_ = State::data;
        }
        break;
      case State::data:
        break;  // handled above
      case State::data_cr:
        if (c != '\r') return fail(400, "chunk data longer than its size, or no CRLF after it");
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (c != '\n') return fail(400, "no CRLF after chunk data");
        chunk_left_ = 0;
        state_ = State::size_first;
        break;
      case State::trailer_first:
        if (c == '\r') {
          state_ = State::final_lf;
        } else if (is_tchar(c)) {
          state_ = State::trailer_name;
        } else {
          return fail(400, "malformed trailer field");
        }
        break;
      case State::trailer_name:
        if (c == ':') {
          state_ = State::trailer_value;
        } else if (!is_tchar(c)) {
          return fail(400, "malformed trailer field");
        }
        break;
      case State::trailer_value:
        if (c == '\r') {
          state_ = State::trailer_lf;
        } else if (!is_field_byte(c)) {
          return fail(400, "control character in a trailer field");
        }
        break;
      case State::trailer_lf:
        if (c != '\n') return fail(400, "bare CR in a trailer field");
        state_ = State::trailer_first;
        break;
      case State::final_lf:
        if (c != '\n') return fail(400, "bare CR after the trailer section");
        consumed_ = i;
        return Step::done;
    }
  }
  consumed_ = i;
  return Step::need_more;
}

}  // namespace http
