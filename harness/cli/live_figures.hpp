// The live figures of the progress line, like oha's live view: each stream's rate over the
// last second and, for the probe (/hi), its p99 over the same second, from the phase's 500 ms
// windows. What the whole run measured stays in the final table; these show where it is now
// (a server that slows down mid-run shows at once, not averaged away).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "load/phase.hpp"

namespace bench {

class LiveFigures {
 public:
  struct StreamLabel {
    std::string name;
    bool probe = false;  // shows its p99 besides its rate
  };

  explicit LiveFigures(double span_s = 1.0) : span_ns_(static_cast<std::uint64_t>(span_s * 1e9)) {}

  // Starts afresh for a phase with these streams (in its order).
  void reset(std::vector<StreamLabel> streams);
  // One window of the phase; the oldest windows go once the rest still cover the span.
  void add(const PhaseWindow& w);
  // A window of phase `p`: a phase with another start than the last one's resets first.
  void add(const Phase& p, const PhaseWindow& w);

  // "heavy 812/s, probe 400/s p99 1.23ms" over the last span; "" before the first window.
  // With too few answers for a p99 (under 100) the probe shows its max instead.
  std::string text() const;

 private:
  std::uint64_t span_ns_;
  std::uint64_t phase_start_ns_ = 0;
  std::vector<StreamLabel> streams_;
  std::deque<PhaseWindow> windows_;
};

}  // namespace bench
