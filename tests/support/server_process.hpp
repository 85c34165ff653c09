// Test support: start a real offload-server (or any program that prints a ready line with
// "listening on HOST:PORT"), learn its port, stop it, and look at its children. Every process
// started here is stopped by pid when the object goes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace testsupport {

class ServerProcess {
 public:
  // Starts `program args...` with `env` added to the environment; waits (up to `timeout`) for
  // the ready line on stdout. Throws std::runtime_error with the program's stderr otherwise.
  ServerProcess(const std::string& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& ready_line() const { return ready_line_; }

  // Sends `signum` and waits up to `timeout` for the exit. Returns the wait status, or nullopt
  // (then the process is killed) when it did not exit in time.
  std::optional<int> stop(int signum, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything the process wrote on stderr so far (stderr goes to a temporary file).
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ready_line_;
  std::string stderr_path_;
  bool exited_ = false;
};

// Runs a program to completion, with a time limit. Returns {wait status, stdout + stderr}.
struct RunResult {
  int status = -1;
  std::string output;
};
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
// `promtool check metrics` (Debian's prometheus package) on an exposition: exit status 0 and
// no output when it finds no problem.
RunResult promtool_check(const std::string& exposition);

// Direct children of `pid` (from /proc), and whether a pid still exists (and is not a zombie).
std::vector<pid_t> child_pids(pid_t pid);
bool process_alive(pid_t pid);

}  // namespace testsupport
