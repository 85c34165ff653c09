// Test support for the harness: a program running in the background (offload-bench during
// an experiment), so a test can watch its files, signal it mid-run and wait for its exit.
// Its stdout and stderr go to one temporary file. The process is killed and reaped by pid
// when the object goes, if it is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "poll.hpp"  // wait_until, which the harness tests use with these

namespace testsupport {

class BackgroundProgram {
 public:
  BackgroundProgram(const std::string& program, const std::vector<std::string>& args);
  ~BackgroundProgram();
  BackgroundProgram(const BackgroundProgram&) = delete;
  BackgroundProgram& operator=(const BackgroundProgram&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signum) const;
  // The wait status once it exited, or nullopt if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string output() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string output_path_;
};

// A wait status as an exit code; -1 when the program did not exit (a signal ended it).
int exit_code(int status);

// A whole file as a string ("" if it cannot be read).
std::string read_file(const std::string& path);

}  // namespace testsupport
