// Parsing and labelling payload sizes.
#include "gpg_size.hpp"

#include <algorithm>
#include <cctype>

namespace workloads::gpg {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::size_t> parse_payload_size(std::string_view text, std::string* error) {
  const std::string quoted = "payload size '" + std::string(text) + "'";
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) {
    *error = quoted + " must start with a decimal number of bytes (e.g. 4096, 4k, 1m)";
    return std::nullopt;
  }
  const std::string suffix = lower(text.substr(digits));
  std::size_t unit = 0;
  if (suffix.empty() || suffix == "b") {
    unit = 1;
  } else if (suffix == "k" || suffix == "kb" || suffix == "kib") {
    unit = std::size_t{1} << 10;
  } else if (suffix == "m" || suffix == "mb" || suffix == "mib") {
    unit = std::size_t{1} << 20;
  } else {
    *error = quoted + " has an unknown unit '" + std::string(text.substr(digits)) +
             "' (use none, k or m; binary: 1k = 1024)";
    return std::nullopt;
  }
  const std::string out_of_range = quoted + " is out of range: 1 byte .. 64 MiB";
  std::size_t count = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const auto digit = static_cast<std::size_t>(text[i] - '0');
    // Stop as soon as the value passes the maximum: no overflow however many digits there are.
    count = count * 10 + digit;
    if (count > kMaxPayloadBytes) {
      *error = out_of_range;
      return std::nullopt;
    }
  }
  if (count > kMaxPayloadBytes / unit || count * unit < kMinPayloadBytes) {
    *error = out_of_range;
    return std::nullopt;
  }
  return count * unit;
}

std::string format_payload_size(std::size_t bytes) {
  if (bytes != 0 && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + "m";
  if (bytes != 0 && bytes % (std::size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + "k";
  return std::to_string(bytes);
}

}  // namespace workloads::gpg
