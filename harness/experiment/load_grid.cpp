// Levels are kept in the user's words (their labels name rows and files) and turned into rates
// only when the capacities have been measured, so a plan can be printed before any server ran.
#include "experiment/load_grid.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cli/option_table.hpp"

namespace bench {

namespace {

// A level above 10x the capacity only measures how fast the server says 503.
constexpr double kMaxFraction = 10.0;
constexpr double kMaxRps = 1e6;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string LoadLevel::slug() const {
  std::string s = label;
  if (const auto pct = s.find('%'); pct != std::string::npos) s.replace(pct, 1, "pct");
  return s;
}

std::string parse_load_levels(const std::string& text, std::vector<LoadLevel>& out) {
  out.clear();
  if (text == "none") return {};
  std::vector<LoadLevel> levels;
  std::string err = cli::parse_list(text, [&](const std::string& item) -> std::string {
    LoadLevel level;
    level.label = item;
    double v = 0;
    if (ends_with(item, "%")) {
      if (!cli::parse_number(item.substr(0, item.size() - 1), v) || !(v > 0) ||
          v > kMaxFraction * 100)
        return "must list percentages above 0% and up to 1000% (of a capacity), or rates "
               "like 200rps, or be none";
      level.fraction = v / 100;
    } else if (ends_with(item, "rps")) {
      if (!cli::parse_number(item.substr(0, item.size() - 3), v) || !(v > 0) || v > kMaxRps)
        return "must list rates like 200rps (above 0, at most 1e6), or percentages like 50%";
      level.rps = v;
      level.absolute = true;
    } else {
      return "must list levels like 50% (of a capacity) or 200rps (absolute), e.g. "
             "10%,50%,100%";
    }
    for (const auto& l : levels)
      if (l.label == item) return item + " is listed twice";
    levels.push_back(level);
    return {};
  });
  if (!err.empty()) return err;
  out = std::move(levels);
  return {};
}

std::string parse_load_basis(const std::string& text, LoadBasis& out) {
  if (text == "max") {
    out = LoadBasis::max;
  } else if (text == "own") {
    out = LoadBasis::own;
  } else {
    return "must be max (the highest capacity among the configurations of one job size) or "
           "own (each configuration's own capacity)";
  }
  return {};
}

const char* basis_name(LoadBasis b) {
  return b == LoadBasis::own ? "own" : "max";
}

std::optional<double> offered_rps(const LoadLevel& level, double basis_rps) {
  if (level.absolute) return level.rps;
  if (!std::isfinite(basis_rps) || basis_rps <= 0) return std::nullopt;
  return level.fraction * basis_rps;
}

std::vector<std::size_t> ascending_levels(const std::vector<LoadLevel>& levels, double basis_rps) {
  std::vector<std::size_t> order(levels.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](std::size_t i) {
    const auto r = offered_rps(levels[i], basis_rps);
    return r ? *r : INFINITY;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  return order;
}

}  // namespace bench
