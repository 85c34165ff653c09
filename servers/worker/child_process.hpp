// Starting and ending the helper processes the remote strategy owns (its private nats-server
// and its local offload-workers): by pid only, never waitpid(-1) (GPGME and the process pool
// reap their own children), no SIGCHLD handler, no Boost.Process (its waits swap the
// process-wide SIGCHLD handler).
//
// A child gets a process group of its own, so the Ctrl-C a terminal sends to the server's
// group does not stop the broker or the workers under a server that is still draining: the
// server stops them itself, in order. And the kernel kills it if the server dies without
// stopping it (PR_SET_PDEATHSIG), so none outlives a crashed server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace offload::hosting {

struct SpawnOptions {
  std::string program;  // a path, or a name looked up in PATH (then /usr/sbin, /usr/local/sbin)
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to (or replacing in) this environment
  std::vector<std::string> unset_env;      // left out of it
  int stdout_fd = -1;                      // -1: this process's stdout
};

// Starts the program. "" and `pid` set, or the reason (a failed exec is reported and reaped).
std::string spawn(const SpawnOptions& options, pid_t& pid);

// Non-blocking: true once the pid has exited and been reaped (`status` set).
bool try_reap(pid_t pid, int& status);

// SIGTERM, up to `grace` for the exit, then SIGKILL. Blocks; returns the wait status.
int stop_and_reap(pid_t pid, std::chrono::milliseconds grace);

// SIGKILL and reap, at once.
void kill_and_reap(pid_t pid);

// "exited with status 3", "killed by signal 9".
std::string describe_exit(int status);

// The program's path as spawn() would run it; "" when it is nowhere to be found.
std::string find_program(const std::string& name);

}  // namespace offload::hosting
