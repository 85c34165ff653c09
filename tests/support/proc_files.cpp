#include "proc_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace testsupport {

std::string read_proc(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // the end, or the process went away: what was read is all there is
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

std::vector<ProcessInfo> processes() {
  std::vector<ProcessInfo> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (const dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcessInfo p;
    p.pid = static_cast<pid_t>(std::atol(name.c_str()));
    const std::string stat = read_proc("/proc/" + name + "/stat");
    const auto paren = stat.rfind(')');  // the name in parentheses may hold anything
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;  // gone
    p.state = stat[paren + 2];
    p.ppid = static_cast<pid_t>(std::atol(stat.c_str() + paren + 3));  // ") S 1234 ..."
    p.cmdline = read_proc("/proc/" + name + "/cmdline");
    out.push_back(std::move(p));
  }
  ::closedir(proc);
  return out;
}

std::string program_of(const std::string& cmdline) {
  const std::string first = cmdline.substr(0, cmdline.find('\0'));
  const auto slash = first.rfind('/');
  return slash == std::string::npos ? first : first.substr(slash + 1);
}

int count_processes(const std::string& program, const std::string& text) {
  int n = 0;
  for (const auto& p : processes())
    if (p.state != 'Z' && program_of(p.cmdline) == program &&
        p.cmdline.find(text) != std::string::npos)
      ++n;
  return n;
}

}  // namespace testsupport
