// Reading /proc from tests without tripping over processes that come and go: a process can
// exit while one of its files is read (the read then fails with ESRCH, which std::ifstream
// reports by throwing), and a scan of /proc meets processes of every other test running beside.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace testsupport {

// A /proc file's text; "" when it cannot be read (the process is gone, or going).
std::string read_proc(const std::string& path);

struct ProcessInfo {
  pid_t pid = 0;
  std::string cmdline;  // its arguments, NUL-separated; "" for a zombie or a kernel thread
  char state = '?';     // from /proc/PID/stat: R, S, D, Z, ...
  pid_t ppid = 0;
};
// Every process there is now, as far as it could be read.
std::vector<ProcessInfo> processes();

// The file name of a command line's program: "gpg" for "/usr/bin/gpg\0--batch\0...".
std::string program_of(const std::string& cmdline);

// Live processes whose program is `program` and whose command line holds `text`.
int count_processes(const std::string& program, const std::string& text);

}  // namespace testsupport
