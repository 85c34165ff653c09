// What part a load stream of `offload-bench run` plays, in the experiment's words: the
// `heavy` stream (jobs on /) or the `probe` (the cheap /hi). --slo names streams by role, the
// results folder's `stream` column holds it, and the progress line shows a probe's p99.
#pragma once

#include <string>
#include <vector>

#include "load/stream_spec.hpp"

namespace bench {

// A stream named heavy is heavy and one named probe or hi the probe, whatever their paths;
// any other (the unnamed `main` stream of a plain run) by its path: /hi is the probe, the
// rest heavy.
std::string stream_role(const StreamSpec& spec);

// "" when no two streams have the same role; else a line saying which role is taken twice
// (the results folder's rows and an objective's figure need one stream per role).
std::string duplicate_role(const std::vector<StreamSpec>& specs);

}  // namespace bench
