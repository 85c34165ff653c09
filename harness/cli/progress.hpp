// The progress line on stderr: rewritten in place on a terminal; on a pipe or file (CI
// logs) a plain line at most every `log_every_s`, so logs stay readable.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

class Progress {
 public:
  explicit Progress(bool enabled, double log_every_s = 5);
  ~Progress();
  void show(const std::string& text);  // the current state
  void note(const std::string& text);  // a line that stays (phase starts in a log)
  void clear();

 private:
  bool enabled_;
  bool tty_;
  bool dirty_ = false;
  double log_every_s_;
  std::uint64_t last_log_ns_ = 0;
};

// "1:05" for 65 seconds, "12s" below a minute.
std::string format_eta(double seconds);

}  // namespace bench
