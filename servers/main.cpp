// offload-server: one program, one strategy picked by --strategy from the registry
// (offload-server --list-strategies), one workload picked by --workload. Also the process
// strategy's worker, when started as `offload-server worker`. `--version` says what it was
// built from.
#include <gpgme.h>
#include <uv.h>

#include <oneapi/tbb/version.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config.hpp"
#include "flag_version.hpp"
#include "process_worker.hpp"
#include "service.hpp"
#include "strategy_registry.hpp"

namespace {

// `--list-strategies [--json]`: the strategy registry, as text or as one line of JSON for
// scripts. Read here, not by the config parser: it starts no server. Returns the exit code, or
// -1 when the command line does not ask for the list.
int list_strategies(int argc, char** argv) {
  bool list = false, json = false, other = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--list-strategies") == 0) {
      list = true;
    } else if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      other = true;
    }
  }
  if (!list) return -1;
  if (other) {
    std::fprintf(stderr, "offload-server: --list-strategies takes no option but --json\n");
    return 2;
  }
  std::fputs(
      json ? (offload::strategies_json() + "\n").c_str() : offload::strategies_text().c_str(),
      stdout);
  return 0;
}

// `--version`: the project's version and revision, the libraries both programs link
// (flags/flag_version.hpp) and this program's own: oneTBB and GPGME, as loaded at run time.
// gpgme_check_version also initialises GPGME: harmless, nothing else runs after it.
int print_version() {
  auto components = flags::common_components();
  components.insert(components.begin() + 1, {"oneTBB", TBB_runtime_version()});
  const char* gpgme = gpgme_check_version(nullptr);
  components.insert(components.begin() + 2, {"GPGME", gpgme ? gpgme : "unknown"});
  std::fputs(flags::version_text("offload-server", components).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "worker") == 0)
    return offload::run_worker(argc - 2, argv + 2);
  if (flags::asks_version(argc, argv)) return print_version();
  if (const int rc = list_strategies(argc, argv); rc >= 0) return rc;

  app::Config config;
  const auto parsed = app::parse_config(
      argc, argv, [](const char* name) { return std::getenv(name); }, config);
  if (parsed.status == app::ConfigStatus::help) {
    std::fputs(app::usage().c_str(), stdout);
    return 0;
  }
  if (parsed.status == app::ConfigStatus::error) {
    std::fprintf(stderr, "offload-server: %s\n", parsed.message.c_str());
    return 2;
  }
  for (const auto& note : parsed.notes)
    std::fprintf(stderr, "offload-server: note: %s\n", note.c_str());
  // A client that goes away mid-answer must be an error code, not a killed server.
  std::signal(SIGPIPE, SIG_IGN);

  char path[4096];
  std::size_t len = sizeof path;
  if (uv_exepath(path, &len) != 0) {
    std::fprintf(stderr, "offload-server: cannot find its own executable\n");
    return 1;
  }
  return app::run_service(config, std::string(path, len));
}
