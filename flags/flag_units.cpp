// Parsers refuse rather than guess: "1.5" is not an integer, "10 s" is not a duration.
#include "flag_units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

namespace flags {

bool parse_u64(std::string_view text, std::uint64_t lo, std::uint64_t hi, std::uint64_t& out) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_i64(std::string_view text, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < lo || v > hi) return false;
  out = v;
  return true;
}

std::string integer_rule(std::int64_t lo, std::int64_t hi) {
  return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

bool parse_number(std::string_view text, double& out) {
  std::istringstream in{std::string(text)};
  double v = 0;
  in >> v;
  if (text.empty() || in.fail() || !in.eof() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

std::string parse_seconds(std::string_view text, double& out) {
  double v = 0;
  if (!parse_number(text, v) || v <= 0 || v > 86400)
    return "must be a number of seconds, above 0 and at most 86400";
  if (v < 0.001) return "must be at least 0.001 (1 ms, the timers' resolution)";
  out = v;
  return {};
}

bool parse_duration(std::string_view text, double& seconds, double max_s) {
  std::string_view number = text;
  double scale = 1;
  if (number.size() > 2 && number.substr(number.size() - 2) == "ms") {
    number.remove_suffix(2);
    scale = 0.001;
  } else if (number.size() > 1 && number.back() == 's') {
    number.remove_suffix(1);
  } else if (number.size() > 1 && number.back() == 'm') {
    number.remove_suffix(1);
    scale = 60;
  }
  double v = 0;
  if (!parse_number(number, v) || v <= 0 || v * scale > max_s) return false;
  seconds = v * scale;
  return true;
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                                        std::string* why) {
  auto refuse = [&](std::string rule) -> std::optional<std::uint64_t> {
    if (why != nullptr) *why = std::move(rule);
    return std::nullopt;
  };
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return refuse("must start with a decimal number of bytes (e.g. 4096, 4k, 1m)");
  std::string suffix(text.substr(digits));
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::uint64_t unit = 0;
  if (suffix.empty() || suffix == "b") {
    unit = 1;
  } else if (suffix == "k" || suffix == "kb" || suffix == "kib") {
    unit = std::uint64_t{1} << 10;
  } else if (suffix == "m" || suffix == "mb" || suffix == "mib") {
    unit = std::uint64_t{1} << 20;
  } else {
    return refuse("has an unknown unit '" + std::string(text.substr(digits)) +
                  "' (use none, k or m; binary: 1k = 1024)");
  }
  const std::string out_of_range = "is out of range: " + size_words(lo) + " .. " + size_words(hi);
  std::uint64_t count = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    // Stop as soon as the value passes the maximum: no overflow however many digits there are.
    count = count * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (count > hi) return refuse(out_of_range);
  }
  if (count > hi / unit || count * unit < lo) return refuse(out_of_range);
  return count * unit;
}

std::string size_label(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (std::uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + "m";
  if (bytes != 0 && bytes % (std::uint64_t{1} << 10) == 0) return std::to_string(bytes >> 10) + "k";
  return std::to_string(bytes);
}

std::string size_words(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (std::uint64_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes != 0 && bytes % (std::uint64_t{1} << 10) == 0)
    return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (true) {
    const auto next = text.find(sep, at);
    parts.emplace_back(text.substr(at, next == std::string_view::npos ? text.npos : next - at));
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
  if (text.empty()) parts.clear();
  return parts;
}

std::string parse_list(std::string_view text,
                       const std::function<std::string(const std::string&)>& each) {
  if (text.empty()) return "must be a comma-separated list";
  for (const auto& item : split(text, ','))
    if (std::string err = each(item); !err.empty()) return err;
  return {};
}

}  // namespace flags
