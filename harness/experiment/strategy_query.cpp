// Asking the server for its strategies: one short child process before any run starts. Its
// environment lacks the server's variables (as every server the experiment starts does), so
// a stray FIB=abc in the shell cannot make it refuse to answer; its answer is bounded in time
// and size, and the child is killed and reaped if it does not finish.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "experiment/knobs.hpp"
#include "experiment/strategies.hpp"

extern char** environ;

namespace bench {

namespace {

constexpr std::uint64_t kAnswerTimeoutMs = 10000;  // a server lists its strategies at once
constexpr std::size_t kMaxAnswerBytes = 1 << 20;

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

// The first line of `text`, trimmed, for an error message.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

std::string ask_server_strategies(const std::string& program, StrategyRegistry& out) {
  Pipe out_pipe, err_pipe;
  if (pipe2(out_pipe.fd, O_CLOEXEC) != 0 || pipe2(err_pipe.fd, O_CLOEXEC) != 0)
    return std::string("cannot make a pipe: ") + std::strerror(errno);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    const auto& removed = server_env_removed();
    if (std::find(removed.begin(), removed.end(), name) == removed.end()) env_text.push_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = program, arg1 = "--list-strategies", arg2 = "--json";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.fd[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return "cannot run it: " + std::string(std::strerror(spawned));
  out_pipe.close_end(1);
  err_pipe.close_end(1);

  std::string answer, errors;
  const std::uint64_t deadline = uv_hrtime() / 1000000 + kAnswerTimeoutMs;
  bool timed_out = false;
  while (out_pipe.fd[0] >= 0 || err_pipe.fd[0] >= 0) {
    const std::uint64_t now = uv_hrtime() / 1000000;
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_pipe.fd[0], POLLIN, 0}, {err_pipe.fd[0], POLLIN, 0}};
    const int ready = poll(fds, 2, static_cast<int>(deadline - now));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::string& into = i == 0 ? answer : errors;
      if (n <= 0 || into.size() > kMaxAnswerBytes) {
        (i == 0 ? out_pipe : err_pipe).close_end(0);
        continue;
      }
      into.append(buf, static_cast<std::size_t>(n));
    }
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return "no answer within " + std::to_string(kAnswerTimeoutMs / 1000) + " s";
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = first_line(errors.empty() ? answer : errors);
    return (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                              : std::string("killed by a signal")) +
           (why.empty() ? "" : ": " + why);
  }
  return parse_strategy_list(answer, out);
}

}  // namespace bench
