// Throughput decides among passing configurations because the objectives already bound the
// latency: of the configurations that keep /hi fast enough, the one doing the most work wins.
#include "experiment/choice.hpp"

#include <algorithm>
#include <cmath>

namespace bench {

namespace {

// The passing configuration with the highest heavy throughput among `members`.
std::optional<std::size_t> best_of(const std::vector<ConfigOutcome>& outcomes,
                                   const std::vector<std::size_t>& members) {
  std::optional<std::size_t> best;
  auto rps = [&](std::size_t i) {
    return std::isnan(outcomes[i].heavy_rps) ? -1.0 : outcomes[i].heavy_rps;
  };
  for (std::size_t i : members)
    if (outcomes[i].pass() && (!best || rps(i) > rps(*best))) best = i;
  return best;
}

}  // namespace

Choice choose_config(const std::vector<ConfigOutcome>& outcomes,
                     const std::vector<std::string>& labels, const std::string& wanted,
                     const std::vector<std::string>& sizes) {
  Choice c;
  std::vector<std::string> order;  // the sizes, as they first appear
  for (std::size_t i = 0; i < sizes.size() && i < outcomes.size(); ++i)
    if (std::find(order.begin(), order.end(), sizes[i]) == order.end()) order.push_back(sizes[i]);
  if (wanted.empty() && outcomes.size() > 1 && order.size() > 1) {
    c.pass = true;
    c.why = "the best of each job size (sizes are not ranked against each other):";
    for (const auto& size : order) {
      std::vector<std::size_t> members;
      for (std::size_t i = 0; i < outcomes.size(); ++i)
        if (sizes[i] == size) members.push_back(i);
      const auto best = best_of(outcomes, members);
      c.per_size.emplace_back(size, best);
      c.why += " " + size + " " + (best ? labels[*best] : "none");
      if (!best) c.pass = false;
      if (!c.config && best) c.config = best;
    }
    return c;
  }
  if (!wanted.empty()) {
    for (std::size_t i = 0; i < labels.size() && i < outcomes.size(); ++i)
      if (labels[i] == wanted) c.config = i;
    c.why = "given with --choose";
  } else if (outcomes.size() == 1) {
    c.config = 0;
    c.why = "the only configuration";
  } else {
    std::vector<std::size_t> all(outcomes.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    c.config = best_of(outcomes, all);
    c.why = c.config ? "the best: passes every SLO with the highest heavy throughput"
                     : "none: no configuration passed every SLO";
  }
  c.pass = c.config && outcomes[*c.config].pass();
  return c;
}

}  // namespace bench
