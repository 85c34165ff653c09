// The GnuPG daemons (gpg-agent, and dirmngr/scdaemon should anything start them) that gpg starts
// on its own for a private home: finding them, and stopping them before the home is removed.
//
// gpg starts the agent as "gpg-agent --homedir HOME --use-standard-socket --daemon" and the agent
// detaches (it is nobody's child that we could wait for), so it is found through /proc by that
// command line, and stopped by `gpgconf --homedir HOME --kill all`, the documented way.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace workloads::gpg {

// PIDs of running GnuPG daemons whose command line names `home` as --homedir (exact match).
std::vector<pid_t> find_daemons(const std::string& home);

// Stops every daemon of `home`: `gpgconf --homedir HOME --kill all`, then waits (bounded, about
// two seconds) until the processes found before are gone; any still there get SIGKILL by PID.
// Returns "" or a one-line reason. Blocking and not async-signal-safe (it spawns gpgconf): call
// it from ordinary code, e.g. the loop's uv_signal_t SIGTERM callback, not a signal handler.
std::string stop_daemons(const std::string& home);

// Runs a program (searched in PATH) with stdin/stdout/stderr on /dev/null and waits for it;
// returns its exit status, or -1 if it could not be started or waited for. Waits for that PID
// only, never waitpid(-1), so other owners of children (GPGME, the process pool) are unaffected.
int run_quietly(const std::vector<std::string>& argv);

}  // namespace workloads::gpg
