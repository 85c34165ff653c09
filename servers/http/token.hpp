// The character classes of RFC 9110 section 5.6 that more than one parser here needs.
#pragma once

#include <cstring>

namespace http {

// tchar: what a method, a field name or a chunk extension's name is made of.
inline bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// A field value's bytes: visible ASCII, space, tab, and obs-text; never CR, LF, NUL or DEL.
inline bool is_field_byte(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

}  // namespace http
