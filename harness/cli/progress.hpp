// The progress line on stderr: the caller's state (elapsed, counts, ETA), then the live
// figures of the last second (live_figures.hpp). On a terminal it is rewritten in place (\r);
// on a pipe or file (CI logs) it is a plain line at most every `log_every_s` (5 s), so logs
// stay readable.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "cli/live_figures.hpp"

namespace bench {

struct ProgressOptions {
  bool enabled = true;
  double log_every_s = 5;
  std::FILE* out = stderr;
  std::optional<bool> tty;  // unset: whether `out` is a terminal
  // The clock in ns (uv_hrtime unless a test gives its own).
  std::function<std::uint64_t()> now;
};

class Progress {
 public:
  explicit Progress(bool enabled, double log_every_s = 5);
  explicit Progress(ProgressOptions options);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The current state: `text`, then " | last 1s: " and the live figures when there are any.
  void show(const std::string& text);
  void note(const std::string& text);  // a line that stays (phase starts in a log)
  void clear();
  // Feeds the live figures with one window of a phase.
  void window(const Phase& p, const PhaseWindow& w) { live_.add(p, w); }
  bool terminal() const { return tty_; }

 private:
  ProgressOptions options_;
  bool tty_;
  bool dirty_ = false;
  bool logged_ = false;
  std::uint64_t last_log_ns_ = 0;
  LiveFigures live_;
};

// "1:05" for 65 seconds, "12s" below a minute.
std::string format_eta(double seconds);

}  // namespace bench
