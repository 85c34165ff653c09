// Throughput decides among passing configurations because the objectives already bound the
// latency: of the configurations that keep /hi fast enough, the one doing the most work wins.
#include "experiment/choice.hpp"

#include <cmath>

namespace bench {

Choice choose_config(const std::vector<ConfigOutcome>& outcomes,
                     const std::vector<std::string>& labels, const std::string& wanted) {
  Choice c;
  if (!wanted.empty()) {
    for (std::size_t i = 0; i < labels.size() && i < outcomes.size(); ++i)
      if (labels[i] == wanted) c.config = i;
    c.why = "given with --choose";
  } else if (outcomes.size() == 1) {
    c.config = 0;
    c.why = "the only configuration";
  } else {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].pass()) continue;
      const double rps = std::isnan(outcomes[i].heavy_rps) ? -1 : outcomes[i].heavy_rps;
      const double best =
          c.config
              ? (std::isnan(outcomes[*c.config].heavy_rps) ? -1 : outcomes[*c.config].heavy_rps)
              : -2;
      if (rps > best) c.config = i;
    }
    c.why = c.config ? "the best: passes every SLO with the highest heavy throughput"
                     : "none: no configuration passed every SLO";
  }
  c.pass = c.config && outcomes[*c.config].pass();
  return c;
}

}  // namespace bench
