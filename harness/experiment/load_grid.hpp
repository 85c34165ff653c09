// The offered-load axis of an experiment (--load): levels given as a fraction of a capacity
// ("50%") or as an absolute rate ("200rps"), and the rate each level asks of one
// configuration once the capacities are known.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bench {

struct LoadLevel {
  std::string label;    // as given: "50%", "200rps"
  double fraction = 0;  // of the basis capacity, when relative
  double rps = 0;       // when absolute
  bool absolute = false;
  std::string slug() const;  // for file names: "50pct", "200rps"
};

enum class LoadBasis { max, own };

// "10%,25%,200rps" -> levels, or "none" -> no levels. "" or one line naming the broken rule.
std::string parse_load_levels(const std::string& text, std::vector<LoadLevel>& out);
std::string parse_load_basis(const std::string& text, LoadBasis& out);
const char* basis_name(LoadBasis b);

// The rate (req/s) a level asks; nullopt when it is relative and the basis is unknown.
std::optional<double> offered_rps(const LoadLevel& level, double basis_rps);

// Levels in ascending order of their offered rate for `basis_rps` (relative levels with an
// unknown basis last, in the order given).
std::vector<std::size_t> ascending_levels(const std::vector<LoadLevel>& levels, double basis_rps);

}  // namespace bench
