// Owner stamps and the sweep of orphaned homes. A PID alone is not an identity: it is reused,
// and means nothing in another PID namespace or after a reboot, so the stamp also holds the
// process's start time, the boot id and the PID namespace.
#include "gpg_stale_homes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gpg_agent.hpp"

namespace workloads::gpg {

namespace {

constexpr const char* kStampFile = "offload-owner";

struct Identity {
  std::string pid, start, boot, pidns;
  bool operator==(const Identity&) const = default;
};

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot.
std::string start_time(const std::string& pid) {
  const std::string stat = read_line("/proc/" + pid + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  return field;
}

std::string pid_namespace() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/ns/pid", ec).string();
}

Identity me() {
  const std::string pid = std::to_string(getpid());
  return {pid, start_time(pid), read_line("/proc/sys/kernel/random/boot_id"), pid_namespace()};
}

}  // namespace

std::string stamp_owner(const std::string& home) {
  const Identity id = me();
  std::ofstream out(home + "/" + kStampFile);
  out << id.pid << ' ' << id.start << ' ' << id.boot << ' ' << id.pidns << '\n';
  return out.flush() ? std::string() : "cannot write " + home + "/" + kStampFile;
}

std::vector<std::string> sweep_stale_homes() {
  std::vector<std::string> removed;
  const Identity self = me();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/tmp", ec)) {
    const std::string path = entry.path().string();
    if (entry.path().filename().string().rfind("olg-", 0) != 0) continue;
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) continue;
    std::istringstream stamp(read_line(path + "/" + kStampFile));
    Identity owner;
    if (!(stamp >> owner.pid >> owner.start >> owner.boot >> owner.pidns)) continue;  // not ours
    if (owner.pidns != self.pidns) continue;  // its PIDs are not ours to judge
    const bool gone = owner.boot != self.boot || start_time(owner.pid) != owner.start;
    if (!gone) continue;
    stop_daemons(path);
    std::filesystem::remove_all(path, ec);
    if (!ec) removed.push_back(path);
  }
  return removed;
}

}  // namespace workloads::gpg
