// The server's settings: command-line flags, each with an environment fallback (FIB=20 make
// inline-server), validated up front so a bad value is one clear line and exit code 2.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace app {

struct Config {
  std::string strategy = "thread";  // inline | thread | process
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned fib = 30;
  unsigned max_n = 45;   // largest n a request may ask for with /?n=
  unsigned workers = 0;  // 0 until parsed: the number of cores
  std::size_t max_queue = 128;
  double idle_timeout_s = 60;
  double header_timeout_s = 10;
  double drain_timeout_s = 10;
  double job_timeout_s = 60;  // 0: none
};

enum class ConfigStatus { ok, help, error };

struct ConfigResult {
  ConfigStatus status = ConfigStatus::ok;
  std::string message;  // the error line (without the program name)
};

// Returns the value of an environment variable, or nullptr.
using EnvLookup = std::function<const char*(const char*)>;

ConfigResult parse_config(int argc, const char* const* argv, const EnvLookup& env, Config& config);
std::string usage();

}  // namespace app
