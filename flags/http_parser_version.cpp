// http_parser.h declares a global `enum flags`, which clashes with the namespace flags: the
// library's version is read in a file of its own that never sees that namespace.
#include <http_parser.h>

#include <string>

namespace offload_detail {

std::string http_parser_version_text() {
  const unsigned long v = http_parser_version();
  return std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) + "." +
         std::to_string(v & 255);
}

}  // namespace offload_detail
