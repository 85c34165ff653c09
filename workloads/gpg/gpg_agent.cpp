// Finding and stopping the GnuPG daemons of one home.
#include "gpg_agent.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

extern char** environ;

namespace workloads::gpg {

namespace {

// The NUL-separated arguments of a process, or empty if it is gone or unreadable.
std::vector<std::string> command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string::size_type start = 0;
  while (start < raw.size()) {
    auto end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    args.emplace_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

bool is_gnupg_daemon(const std::string& program) {
  const std::string base = program.substr(program.rfind('/') + 1);
  return base == "gpg-agent" || base == "dirmngr" || base == "scdaemon";
}

bool names_home(const std::vector<std::string>& args, const std::string& home) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--homedir" && args[i + 1] == home) return true;
  return false;
}

// A daemon that exited but was not reaped yet (its parent is init here) counts as gone.
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

}  // namespace

std::vector<pid_t> find_daemons(const std::string& home) {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  while (const dirent* entry = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const auto args = command_line(static_cast<pid_t>(pid));
    if (!args.empty() && is_gnupg_daemon(args[0]) && names_home(args, home) &&
        alive(static_cast<pid_t>(pid)))
      pids.push_back(static_cast<pid_t>(pid));
  }
  closedir(proc);
  return pids;
}

int run_quietly(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; ++fd)
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string stop_daemons(const std::string& home) {
  const std::vector<pid_t> before = find_daemons(home);
  std::string problem;
  // gpgconf asks each daemon over its socket to exit; it does not wait for the process to end.
  if (run_quietly({"gpgconf", "--homedir", home, "--kill", "all"}) != 0)
    problem = "gpgconf --homedir " + home + " --kill all failed";

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::vector<pid_t> left = before;
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(left, [](pid_t pid) { return !alive(pid); });
    if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Last resort, by PID only: these daemons run for our home, which is about to disappear.
  for (pid_t pid : left) {
    if (alive(pid) && names_home(command_line(pid), home)) kill(pid, SIGKILL);
  }
  if (!left.empty() && problem.empty())
    problem = "gpg-agent of " + home + " ignored gpgconf --kill; killed by PID";
  return problem;
}

}  // namespace workloads::gpg
