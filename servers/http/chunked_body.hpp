// The chunked transfer coding (RFC 9112, section 7.1), decoded strictly and one byte at a
// time, so that nothing is kept between reads: a chunk line or a trailer split anywhere across
// reads decodes the same, and no view into an earlier read's buffer survives it. The data is
// counted and dropped (no endpoint takes a body); trailers are checked and dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace http {

class ChunkedBody {
 public:
  enum class Step { need_more, done, error };

  // max_data: the body's data, summed over the chunks (past it: 413). max_framing: chunk
  // lines and trailers together (past it: 400 for chunk lines, 431 for trailers).
  ChunkedBody(std::size_t max_data, std::size_t max_framing)
      : max_data_(max_data), max_framing_(max_framing) {}

  void reset();
  // Reads `data` up to the end of the body, or all of it, or up to the first broken rule.
  Step feed(std::string_view data);
  // Bytes of the last feed() that belong to the body (the rest is the next request).
  std::size_t consumed() const { return consumed_; }
  bool had_data() const { return data_total_ > 0; }
  int error_status() const { return error_status_; }
  const char* error_reason() const { return error_reason_; }

 private:
  enum class State {
    size_first,        // a chunk line's first byte: a hex digit
    size,              // more hex digits, ';', or CR
    ext_name_first,    // after ';': the extension's name must start here
    ext_name,          //
    ext_value_first,   // after '=': a token or a quoted string
    ext_token,         //
    ext_quoted,        //
    ext_quoted_pair,   // after a backslash inside quotes
    ext_after_quoted,  // ';' or CR
    line_lf,           // CR seen at the end of a chunk line
    data,              //
    data_cr,           // the CRLF after a chunk's data
    data_lf,           //
    trailer_first,     // a trailer line's first byte, or the CR of the final empty line
    trailer_name,      //
    trailer_value,     //
    trailer_lf,        // CR seen at the end of a trailer line
    final_lf,          // CR of the final empty line seen
  };

  Step fail(int status, const char* reason);
  bool in_trailers() const;

  std::size_t max_data_;
  std::size_t max_framing_;
  State state_ = State::size_first;
  std::uint64_t chunk_left_ = 0;  // data bytes still due in this chunk (or its size so far)
  std::uint64_t data_total_ = 0;
  std::size_t framing_ = 0;
  std::size_t consumed_ = 0;
  int error_status_ = 0;
  const char* error_reason_ = "";
};

}  // namespace http
