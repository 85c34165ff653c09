// Short human descriptions of streams for tables and progress lines.
#include "load/stream_spec.hpp"

#include <cstdio>

namespace bench {

std::string StreamSpec::describe() const {
  char buf[96];
  if (open_loop()) {
    std::snprintf(buf, sizeof buf, "open %g/s%s %gs", rate, poisson ? " poisson" : "", duration_s);
  } else if (calls > 0) {
    std::snprintf(buf, sizeof buf, "closed %ux%llu", conns, static_cast<unsigned long long>(calls));
  } else {
    std::snprintf(buf, sizeof buf, "closed %u conns %gs", conns, duration_s);
  }
  return buf;
}

}  // namespace bench
