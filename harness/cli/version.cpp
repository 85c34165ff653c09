// oneTBB's header version and the library actually loaded can differ (a rebuilt libtbb under
// an old binary): both are shown when they do.
#include "cli/version.hpp"

#include <oneapi/tbb/version.h>

#include "flag_version.hpp"

namespace bench {

std::string version_text() {
  auto components = flags::common_components();
  std::string tbb = TBB_runtime_version();
  if (tbb != TBB_VERSION_STRING) tbb += " (built with " TBB_VERSION_STRING ")";
  components.insert(components.begin() + 1, {"oneTBB", tbb});
  return flags::version_text("offload-bench", components);
}

std::string version_number() {
  return flags::project_version();
}

}  // namespace bench
