// Payload sizes as people type them ("4k", "64k", "1m"): parsing with bounds, and a short label.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace workloads::gpg {

// Bounds on a payload: at least one byte; at most 64 MiB, because the plaintext, its ciphertext
// and gpg's output buffer are all held in memory and cached per size (see CiphertextCache).
inline constexpr std::size_t kMinPayloadBytes = 1;
inline constexpr std::size_t kMaxPayloadBytes = std::size_t{64} << 20;

// Parses a decimal count of bytes with an optional binary suffix, case-insensitive: none or
// "b" (bytes), "k"/"kb"/"kib" (x1024), "m"/"mb"/"mib" (x1024^2). "4k" = 4096, "1m" = 1048576.
// No sign, no spaces, no fraction. On failure returns nullopt and a one-line reason in *error
// that names the rule broken (e.g. "payload size '0' is out of range: 1 byte .. 64 MiB").
std::optional<std::size_t> parse_payload_size(std::string_view text, std::string* error);

// The shortest exact label: 4096 -> "4k", 1048576 -> "1m", 1000 -> "1000". Parses back.
std::string format_payload_size(std::size_t bytes);

}  // namespace workloads::gpg
