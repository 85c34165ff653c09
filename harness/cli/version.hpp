// `offload-bench --version`: the project's version and git revision (flags/flag_version.hpp) and
// the libraries offload-bench links: those it shares with offload-server, and oneTBB (linked to
// report the version its servers run with).
#pragma once

#include <string>

namespace bench {

std::string version_text();
// The project's version alone ("0.1.0"), for documents that record what wrote them.
std::string version_number();

}  // namespace bench
