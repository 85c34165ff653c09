// Process control for integration tests: fork/exec with pipes, a ready-line wait bounded in
// time, and /proc lookups. Processes are stopped by pid, never by name.
#include "server_process.hpp"

#include "proc_files.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testsupport {

namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, int stdout_fd, int stderr_fd) {
  std::vector<std::string> argv_s = {program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    dup2(stdout_fd, STDOUT_FILENO);
    dup2(stderr_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A fresh private file name under /tmp (the file exists, empty; the caller removes it).
std::string temp_path(const char* tag) {
  std::string name = std::string("/tmp/offload-test-") + tag + "-XXXXXX";
  const int fd = mkstemp(name.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return name;
}

}  // namespace

ServerProcess::ServerProcess(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             std::chrono::milliseconds timeout) {
  stderr_path_ = temp_path("stderr");
  const int err_fd = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int out[2];
  if (err_fd < 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn(program, args, env, out[1], err_fd);
  close(out[1]);
  close(err_fd);

  std::string buffer;
  const auto deadline = Clock::now() + timeout;
  while (ready_line_.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{out[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[512];
    const ssize_t n = read(out[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (const auto at = line.find("listening on "); at != std::string::npos) {
        ready_line_ = line;
        const auto colon = line.find(' ', at + 13);
        const std::string hostport = line.substr(at + 13, colon - (at + 13));
        port_ = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
        break;
      }
    }
  }
  close(out[0]);  // later stdout writes get EPIPE (ignored by the server): tests read stderr
  if (ready_line_.empty()) {
    kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(5));
    exited_ = true;
    const std::string why = stderr_text();
    std::error_code ec;
    std::filesystem::remove(stderr_path_, ec);  // the destructor does not run after a throw
    throw std::runtime_error("server did not become ready: " + why);
  }
}

ServerProcess::~ServerProcess() {
  // SIGTERM first, so the server can clean up what it made (GnuPG homes, workers); SIGKILL
  // only if it does not leave in time.
  if (!exited_) stop(SIGTERM, std::chrono::seconds(10));
  std::error_code ec;
  std::filesystem::remove(stderr_path_, ec);
}

std::optional<int> ServerProcess::stop(int signum, std::chrono::milliseconds timeout) {
  if (exited_) return std::nullopt;
  kill(pid_, signum);
  auto status = wait_for_exit(pid_, timeout);
  if (!status) {
    kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(10));
  }
  exited_ = true;
  return status;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env,
                      std::chrono::milliseconds timeout) {
  const std::string path = temp_path("out");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  const pid_t pid = spawn(program, args, env, fd, fd);
  close(fd);
  RunResult result;
  if (auto status = wait_for_exit(pid, timeout)) {
    result.status = *status;
  } else {
    kill(pid, SIGKILL);
    wait_for_exit(pid, std::chrono::seconds(10));
  }
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  result.output = s.str();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return result;
}

RunResult promtool_check(const std::string& exposition) {
  const std::string path = temp_path("metrics");
  std::ofstream(path) << exposition;
  // promtool reads the exposition on stdin; it prints each problem and exits non-zero.
  RunResult r = run_program("/bin/sh", {"-c", "exec promtool check metrics < \"$0\"", path});
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return r;
}

std::vector<pid_t> child_pids(pid_t pid) {
  std::vector<pid_t> children;
  for (const auto& p : processes())
    if (p.ppid == pid) children.push_back(p.pid);
  return children;
}

bool process_alive(pid_t pid) {
  const std::string stat = read_proc("/proc/" + std::to_string(pid) + "/stat");
  // pid (comm) state ...: comm may hold spaces and parentheses, so read after the last ')'.
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace testsupport
