// The whole server put together: loop, pool, router, HTTP front end, signals, and the
// shutdown order (stop accepting -> finish requests in flight -> stop the pool -> exit).
#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "config.hpp"

namespace app {

// Runs the server until SIGINT/SIGTERM and a clean shutdown. Returns the exit code; prints
// the ready line on stdout and problems on stderr.
int run_service(const Config& config, const std::string& program_path);

}  // namespace app
