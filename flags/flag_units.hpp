// Values as people type them on a command line: integers in a range, decimal numbers,
// durations, byte sizes and comma-separated lists. Each parser either fills its output or
// says no (a bool, or the rule broken), and leaves the output alone when it says no.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flags {

// Decimal digits only (no sign, no spaces), lo <= value <= hi.
bool parse_u64(std::string_view text, std::uint64_t lo, std::uint64_t hi, std::uint64_t& out);
// An optional '-' then decimal digits, lo <= value <= hi.
bool parse_i64(std::string_view text, std::int64_t lo, std::int64_t hi, std::int64_t& out);
// "must be an integer from LO to HI": the rule parse_u64 / parse_i64 enforce.
std::string integer_rule(std::int64_t lo, std::int64_t hi);

// A finite decimal number ("2", "0.25", "1e-3"), nothing after it.
bool parse_number(std::string_view text, double& out);

// The server's durations: a plain number of seconds, above 0 and at most 86400. libuv's
// timers count whole milliseconds, so anything under 1 ms would become 0, which reads as
// "never" for some timers and "at once" for others: refused, not rounded. Returns the rule
// broken, or "".
std::string parse_seconds(std::string_view text, double& out);

// The harness's durations: seconds, or a number with a unit: "1.5", "1.5s", "500ms", "2m";
// above 0 and at most `max_s` (a week unless told). False when it is not such a duration.
bool parse_duration(std::string_view text, double& seconds, double max_s = 7 * 86400.0);
inline constexpr const char* kDurationRule =
    "must be a duration above 0 (seconds, or with a unit: 500ms, 10s, 2m)";

// Byte sizes: a decimal count with an optional binary unit, case-insensitive: none or "b"
// (bytes), "k"/"kb"/"kib" (x1024), "m"/"mb"/"mib" (x1024^2). "4k" = 4096, "1m" = 1048576.
// No sign, no spaces, no fraction. On failure: nullopt, and in *why (when given) the rule in
// words to follow the value's name: "is out of range: 1 byte .. 64 MiB".
std::optional<std::uint64_t> parse_size(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                                        std::string* why = nullptr);
// The shortest exact form that parse_size reads back: 65536 -> "64k", 1048576 -> "1m",
// 1000 -> "1000".
std::string size_label(std::uint64_t bytes);
// A size for people: 1 -> "1 byte", 65536 -> "64 KiB", 67108864 -> "64 MiB".
std::string size_words(std::uint64_t bytes);

// "a,b,,c" -> {"a", "b", "", "c"}; a trailing separator gives a last empty item.
std::vector<std::string> split(std::string_view text, char sep);
// Applies `each` to every item of a comma-separated list; the first rule broken, or "".
std::string parse_list(std::string_view text,
                       const std::function<std::string(const std::string&)>& each);

}  // namespace flags
