// IMF-fixdate by hand: strftime's %a and %b follow the locale, and the header must be English.
#include "http_date.hpp"

#include <cstdio>

namespace http {

std::string_view format_http_date(std::time_t t, char (&out)[30]) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  const int n = std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string_view(out, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string_view http_date_now() {
  // Per thread, so the fuzzer or a test may call it from anywhere; the server calls it on the
  // loop only. time() is a vDSO read: cheap enough per response, unlike formatting.
  thread_local std::time_t cached_second = -1;
  thread_local char text[30];
  thread_local std::string_view cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached = format_http_date(now, text);
    cached_second = now;
  }
  return cached;
}

}  // namespace http
