// \r plus "erase to end of line" keeps one line on a terminal without curses.
#include "cli/progress.hpp"

#include <unistd.h>
#include <uv.h>

#include <cmath>
#include <cstdio>

namespace bench {

Progress::Progress(bool enabled, double log_every_s)
    : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1), log_every_s_(log_every_s) {}

Progress::~Progress() {
  clear();
}

void Progress::show(const std::string& text) {
  if (!enabled_) return;
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K", text.c_str());
    std::fflush(stderr);
    dirty_ = true;
    return;
  }
  const std::uint64_t now = uv_hrtime();
  if (last_log_ns_ != 0 && static_cast<double>(now - last_log_ns_) / 1e9 < log_every_s_) return;
  last_log_ns_ = now;
  std::fprintf(stderr, "%s\n", text.c_str());
}

void Progress::note(const std::string& text) {
  if (!enabled_) return;
  clear();
  std::fprintf(stderr, "%s\n", text.c_str());
}

void Progress::clear() {
  if (!dirty_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  dirty_ = false;
}

std::string format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace bench
