// offload-server: one program, three strategies (inline | thread | process). Also the
// process pool's worker, when started as `offload-server worker`.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config.hpp"
#include "service.hpp"
#include "worker.hpp"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "worker") == 0)
    return offload::run_worker(argc - 2, argv + 2);

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
