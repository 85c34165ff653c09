// fork + exec of a helper process, with an exec error reported through a close-on-exec pipe,
// and reaping by pid (child_process.hpp).
#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace offload::hosting {

namespace {

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  // Debian puts nats-server in /usr/sbin, which an unprivileged user's PATH often lacks.
  dirs += ":/usr/sbin:/usr/local/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  return {};
}

std::string spawn(const SpawnOptions& options, pid_t& pid) {
  const std::string path = find_program(options.program);
  if (path.empty())
    return options.program + ": not found (looked in PATH, /usr/sbin, /usr/local/sbin)";

  // Everything the child needs is built before fork: between fork and exec a threaded process
  // may only make async-signal-safe calls (no allocation).
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (options.env.count(key) == 0 && std::find(options.unset_env.begin(), options.unset_env.end(),
                                                 key) == options.unset_env.end())
      env_text.push_back(entry);
  }
  for (const auto& [key, value] : options.env) env_text.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_text = {path};
  arg_text.insert(arg_text.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : arg_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) {
    const int e = errno;
    ::close(report[0]);
    ::close(report[1]);
    return std::string("fork: ") + std::strerror(e);
  }
  if (child == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before the death signal was armed.
    if (getppid() != parent) _exit(127);
    if (options.stdout_fd >= 0) dup2(options.stdout_fd, STDOUT_FILENO);
    // The server ignores SIGPIPE; a child starts with the default dispositions.
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    const int e = errno;
    [[maybe_unused]] const ssize_t n = ::write(report[1], &e, sizeof e);
    _exit(127);
  }
  ::close(report[1]);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {
    waitpid(child, nullptr, 0);  // it exited at once: no zombie left behind
    return path + ": " + std::strerror(exec_errno);
  }
  pid = child;
  return {};
}

bool try_reap(pid_t pid, int& status) {
  const pid_t r = waitpid(pid, &status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

int stop_and_reap(pid_t pid, std::chrono::milliseconds grace) {
  int status = 0;
  if (try_reap(pid, status)) return status;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (try_reap(pid, status)) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}

void kill_and_reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace offload::hosting
