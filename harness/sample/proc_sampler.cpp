// The tree comes from /proc/<pid>/task/*/children, a handful of small files, so a sample
// costs about a tenth of a millisecond of the loop thread; scanning every /proc/<pid>/stat
// for parent links (milliseconds) is only the fallback for kernels without those files.
#include "sample/proc_sampler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include <sstream>
#include <thread>

namespace bench {

namespace {

// One read(2) into a stack buffer: an ifstream costs several times more, and this runs on
// the load generator's loop thread twice a second.
std::string read_text(const std::string& path) {
  char buf[8192];
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

double seconds_since_boot() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Children of `pid` from /proc/<pid>/task/<tid>/children (one file per thread), or nullopt
// when the kernel lacks that file (CONFIG_PROC_CHILDREN).
std::optional<std::vector<pid_t>> children_of(pid_t pid) {
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(task.c_str());
  if (dir == nullptr) return std::vector<pid_t>{};  // gone: no children
  std::vector<pid_t> out;
  bool any = false;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string path = task + "/" + e->d_name + "/children";
    if (access(path.c_str(), R_OK) != 0) continue;
    any = true;
    std::istringstream list(read_text(path));
    for (long child; list >> child;) out.push_back(static_cast<pid_t>(child));
  }
  closedir(dir);
  if (!any) return std::nullopt;
  return out;
}

// Every process's parent, from a scan of /proc: the fallback without children files.
std::map<pid_t, pid_t> all_parents() {
  std::map<pid_t, pid_t> parents;
  if (DIR* dir = opendir("/proc")) {
    while (dirent* e = readdir(dir)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      if (auto s = parse_process_stat(read_text(std::string("/proc/") + e->d_name + "/stat")))
        parents[s->pid] = s->ppid;
    }
    closedir(dir);
  }
  return parents;
}

}  // namespace

ProcSampler::ProcSampler(pid_t root)
    : root_(root),
      ticks_per_s_(sysconf(_SC_CLK_TCK)),
      page_kb_(sysconf(_SC_PAGESIZE) / 1024),
      cores_(std::max(1u, std::thread::hardware_concurrency())) {
  sample();  // primes the CPU counters: every later sample measures since the one before
}

std::vector<ResourceSample> ProcSampler::sample() {
  const std::uint64_t now = uv_hrtime();
  // The tree, breadth first from the root.
  std::vector<pid_t> tree = {root_};
  std::optional<std::map<pid_t, pid_t>> parents;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    auto children = parents ? std::nullopt : children_of(tree[i]);
    if (!children) {
      if (!parents) parents = all_parents();
      children.emplace();
      for (const auto& [pid, ppid] : *parents)
        if (ppid == tree[i]) children->push_back(pid);
    }
    tree.insert(tree.end(), children->begin(), children->end());
  }
  std::map<pid_t, ProcessStat> all;
  for (pid_t pid : tree)
    if (auto s = parse_process_stat(read_text("/proc/" + std::to_string(pid) + "/stat")))
      all[pid] = *s;

  std::vector<ResourceSample> out;
  std::map<pid_t, Seen> seen;
  const double boot_s = seconds_since_boot();
  for (pid_t pid : tree) {
    if (all.count(pid) == 0) continue;  // exited between the listing and the read
    const ProcessStat& s = all[pid];
    if (s.state == 'Z') continue;  // exited, not yet reaped: no memory, no CPU
    ResourceSample r;
    r.pid = pid;
    r.role = pid == root_ ? "server" : "worker";
    r.rss_kb = static_cast<std::uint64_t>(std::max(0L, s.rss_pages) * page_kb_);
    r.threads = s.threads;
    const auto before = seen_.find(pid);
    if (before != seen_.end() && now > before->second.at_ns) {
      const double cpu_s = static_cast<double>(s.cpu_ticks - before->second.cpu_ticks) /
                           static_cast<double>(ticks_per_s_);
      r.cpu_pct = 100.0 * cpu_s / (static_cast<double>(now - before->second.at_ns) / 1e9);
    } else {
      const double age_s =
          boot_s - static_cast<double>(s.start_ticks) / static_cast<double>(ticks_per_s_);
      r.cpu_pct = age_s > 0.01 ? 100.0 * static_cast<double>(s.cpu_ticks) /
                                     static_cast<double>(ticks_per_s_) / age_s
                               : 0.0;
    }
    seen[pid] = {s.cpu_ticks, now};
    out.push_back(r);
  }
  seen_ = std::move(seen);

  ResourceSample machine;
  machine.role = "machine";
  const std::string meminfo = read_text("/proc/meminfo");
  const auto total = parse_meminfo_kb(meminfo, "MemTotal");
  const auto available = parse_meminfo_kb(meminfo, "MemAvailable");
  if (total && available && *total >= *available) machine.rss_kb = *total - *available;
  if (const auto cpu = parse_machine_cpu(read_text("/proc/stat"))) {
    if (machine_ && cpu->total > machine_->total)
      machine.cpu_pct = 100.0 * static_cast<double>(cpu->busy - machine_->busy) /
                        static_cast<double>(cpu->total - machine_->total) * cores_;
    machine_ = cpu;
  }
  // /proc/loadavg: "0.10 0.20 0.30 running/total lastpid"
  std::istringstream load(read_text("/proc/loadavg"));
  std::string a, b, c, threads;
  if (load >> a >> b >> c >> threads) {
    const auto slash = threads.find('/');
    if (slash != std::string::npos) machine.threads = std::atol(threads.c_str() + slash + 1);
  }
  out.push_back(machine);
  return out;
}

}  // namespace bench
