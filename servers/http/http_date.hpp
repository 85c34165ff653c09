// The Date header's value (RFC 9110 section 6.6.1: IMF-fixdate, always GMT), formatted once a
// second rather than once a response.
#pragma once

#include <ctime>
#include <string_view>

namespace http {

// Now, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Valid until the next call on this thread.
std::string_view http_date_now();

// The same for any moment (what http_date_now caches).
std::string_view format_http_date(std::time_t t, char (&out)[30]);

}  // namespace http
