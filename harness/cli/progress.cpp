// \r plus "erase to end of line" keeps one line on a terminal without curses.
#include "cli/progress.hpp"

#include <unistd.h>
#include <uv.h>

#include <cmath>

namespace bench {

namespace {

ProgressOptions defaults(bool enabled, double log_every_s) {
  ProgressOptions o;
  o.enabled = enabled;
  o.log_every_s = log_every_s;
  return o;
}

}  // namespace

Progress::Progress(bool enabled, double log_every_s) : Progress(defaults(enabled, log_every_s)) {}

Progress::Progress(ProgressOptions options)
    : options_(std::move(options)),
      tty_(options_.tty ? *options_.tty : isatty(fileno(options_.out)) == 1) {
  if (!options_.now) options_.now = [] { return uv_hrtime(); };
}

Progress::~Progress() {
  clear();
}

void Progress::show(const std::string& text) {
  if (!options_.enabled) return;
  std::string line = text;
  if (const std::string live = live_.text(); !live.empty()) line += " | last 1s: " + live;
  if (tty_) {
    std::fprintf(options_.out, "\r%s\033[K", line.c_str());
    std::fflush(options_.out);
    dirty_ = true;
    return;
  }
  const std::uint64_t now = options_.now();
  if (logged_ && static_cast<double>(now - last_log_ns_) / 1e9 < options_.log_every_s) return;
  logged_ = true;
  last_log_ns_ = now;
  std::fprintf(options_.out, "%s\n", line.c_str());
  std::fflush(options_.out);
}

void Progress::note(const std::string& text) {
  if (!options_.enabled) return;
  clear();
  std::fprintf(options_.out, "%s\n", text.c_str());
}

void Progress::clear() {
  if (!dirty_) return;
  std::fprintf(options_.out, "\r\033[K");
  std::fflush(options_.out);
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
