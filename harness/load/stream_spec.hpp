// One load stream's parameters, as given on the command line or by the experiment runner.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

struct StreamSpec {
  std::string name = "main";
  std::string path = "/";
  // Closed loop: the connections, each making one call after another. Open loop: the
  // connections opened before the first request (more are opened as needed, to max_conns).
  unsigned conns = 1;
  std::uint64_t calls = 0;  // closed loop: calls per connection; 0 = until the duration ends
  double duration_s = 0;    // 0 = no time limit (closed loop with calls)
  double rate = 0;          // requests per second; > 0 makes the stream open-loop
  bool poisson = false;     // open loop: exponential gaps instead of fixed ones
  unsigned max_conns = 1000;
  double timeout_s = 30;  // a request unanswered this long counts as a timeout
  std::uint64_t seed = 1;
  // Experiment use: a closed loop keeps going past its duration until this many calls have
  // completed, but never past max_duration_s (the job-cost measurement of a slow job).
  std::uint64_t min_calls = 0;
  double max_duration_s = 0;

  bool open_loop() const { return rate > 0; }
  // "closed 20x200", "closed 4 conns 5s", "open 200/s 10s"
  std::string describe() const;
};

}  // namespace bench
