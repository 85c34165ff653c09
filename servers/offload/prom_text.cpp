#include "prom_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace offload::prom {

namespace {

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one
// (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  std::size_t n;
  unsigned min;
  unsigned cp;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      const std::size_t n = utf8_length(value, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for the one byte that starts no valid sequence
        ++i;
        continue;
      }
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";  // the format's spellings, not printf's
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char number[40];
  std::snprintf(number, sizeof number, "%.15g", value);
  if (std::strtod(number, nullptr) != value) std::snprintf(number, sizeof number, "%.17g", value);
  return number;
}

std::string label_text(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, double value, const std::string& labels) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void single(std::string& out, const char* name, const char* type, const char* help, double value) {
  header(out, name, type, help);
  sample(out, name, value);
}

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  ++counts_[i];
  sum_ += seconds;
  ++count_;
  if (seconds > max_) max_ = seconds;
}

void Histogram::render(std::string& out, const char* name, const char* help,
                       const std::string& labels) const {
  header(out, name, "histogram", help);
  render_series(out, name, labels);
}

void Histogram::render_series(std::string& out, const char* name, const std::string& labels) const {
  const std::string before_le = labels.empty() ? "" : labels + ",";
  const std::string own = labels.empty() ? "" : "{" + labels + "}";
  std::uint64_t cumulative = 0;
  char bound[32];
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i];
    if (i < kBounds.size()) {
      std::snprintf(bound, sizeof bound, "%g", kBounds[i]);
    } else {
      std::snprintf(bound, sizeof bound, "+Inf");
    }
    out += name;
    out += "_bucket{" + before_le + "le=\"" + bound + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += std::string(name) + "_sum" + own + " " + format_value(sum_) + "\n";
  out += std::string(name) + "_count" + own + " " + std::to_string(count_) + "\n";
}

void WindowMax::observe(double value, std::uint64_t now_ns) {
  const std::uint64_t index = now_ns / kSlotNs;
  Slot& slot = slots_[index % kSlots];
  if (slot.index != index) slot = Slot{index, value};
  slot.max = std::max(slot.max, value);
}

double WindowMax::max_over(std::uint64_t window_ns, std::uint64_t now_ns) const {
  const std::uint64_t now = now_ns / kSlotNs;
  const std::uint64_t back = std::min(window_ns, kLongestNs) / kSlotNs;  // whole slots before now
  double best = 0;
  for (std::uint64_t k = 0; k <= back && k <= now; ++k) {
    const Slot& slot = slots_[(now - k) % kSlots];
    if (slot.index == now - k) best = std::max(best, slot.max);
  }
  return best;
}

}  // namespace offload::prom
