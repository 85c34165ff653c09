// Prometheus' text exposition format (0.0.4): what every part of /metrics writes with, the
// application's own series and a strategy's alike. Label values are escaped here, in one
// place: some come from users (--gpg-key) or from the network (a remote worker's id).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::prom {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value as the format wants it between its quotes: backslash, double quote and line
// feed escaped, and any byte sequence that is not UTF-8 replaced by U+FFFD (Prometheus refuses
// a whole scrape over one invalid label value).
std::string escape_label_value(std::string_view value);
// A sample's value, exact and short: the fewest digits (15, else 17) that read back as the same
// double, so a counter of 1234567891 is not written 1.23456789e+09 and seem to stand still.
std::string format_value(double value);
// `k1="v1",k2="v2"` with the values escaped: no braces, "" for none.
std::string label_text(const Labels& labels);

// The `# HELP` and `# TYPE` lines of a metric family.
void header(std::string& out, const char* name, const char* type, const char* help);
// One sample: `name{labels} value` (`labels` as label_text writes them, or "").
void sample(std::string& out, const char* name, double value, const std::string& labels = "");
// A family of one unlabelled sample: its header, then the sample.
void single(std::string& out, const char* name, const char* type, const char* help, double value);

// A histogram with fixed buckets, in seconds: about six a decade from 10 us to 10 s, fine
// enough that a percentile read off the buckets (as the harness does per window) is within
// ~1.5x of the true value, down to the tens of microseconds a hand-off between threads costs.
class Histogram {
 public:
  void observe(double seconds);
  // The whole family. `labels`: label text for every sample (`strategy="thread"`), or "".
  void render(std::string& out, const char* name, const char* help,
              const std::string& labels = "") const;
  // The samples alone, for one series of a family whose header is already out.
  void render_series(std::string& out, const char* name, const std::string& labels) const;
  double max() const { return max_; }
  std::uint64_t count() const { return count_; }

 private:
  static constexpr std::array<double, 36> kBounds = {
      0.00001, 0.000015, 0.00002, 0.00003, 0.00005, 0.000075, 0.0001, 0.00015, 0.0002,
      0.0003,  0.0005,   0.00075, 0.001,   0.0015,  0.002,    0.003,  0.005,   0.0075,
      0.01,    0.015,    0.02,    0.03,    0.05,    0.075,    0.1,    0.15,    0.2,
      0.3,     0.5,      0.75,    1,       1.5,     2,        3,      5,       10};
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};  // last: above every bound
  double sum_ = 0;
  double max_ = 0;
  std::uint64_t count_ = 0;
};

// The largest value observed in the last `window` of time, the same for every reader (unlike
// a "maximum since the last scrape", which a second scraper resets under the first one's
// feet). Kept in 100 ms slots for the last 10 s, so a window's maximum covers the last
// `window` plus at most the 100 ms slot in progress.
class WindowMax {
 public:
  static constexpr std::uint64_t kSlotNs = 100'000'000;
  static constexpr std::uint64_t kLongestNs = 10'000'000'000;      // the longest window
  static constexpr std::size_t kSlots = kLongestNs / kSlotNs + 1;  // + the one in progress

  void observe(double value, std::uint64_t now_ns);
  // The largest value seen in [now - window, now] (rounded out to whole slots); 0 when none.
  // `window_ns` at most kLongestNs (longer ones are cut to it).
  double max_over(std::uint64_t window_ns, std::uint64_t now_ns) const;

 private:
  struct Slot {
    std::uint64_t index = UINT64_MAX;  // now / kSlotNs when it was last written
    double max = 0;
  };
  std::array<Slot, kSlots> slots_{};
};

}  // namespace offload::prom
