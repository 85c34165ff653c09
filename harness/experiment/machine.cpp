// git is asked at run time (not at build time), so a rebuild-free checkout change still
// shows; OFFLOAD_SOURCE_DIR tells it where the tree is.
#include "experiment/machine.hpp"

#include <http_parser.h>
#include <sys/utsname.h>
#include <uv.h>

#include <oneapi/tbb/version.h>
#include <boost/version.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "experiment/json.hpp"
#include "sample/proc_stat.hpp"

#ifndef OFFLOAD_SOURCE_DIR
#define OFFLOAD_SOURCE_DIR "."
#endif

namespace bench {

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cpu_model() {
  std::istringstream in(read_text("/proc/cpuinfo"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

std::string os_name() {
  std::istringstream in(read_text("/etc/os-release"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "unknown";
}

std::string kernel() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release;
}

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

unsigned cores() {
  return std::max(1u, std::thread::hardware_concurrency());
}

// The first line of a sysfs file, trimmed; nullopt when it cannot be read or is empty.
std::optional<std::string> sysfs_value(const char* path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

// As the kernel says it ("on", "off", "forceoff", "notsupported": no SMT, or a hypervisor that
// hides it), else as /proc/cpuinfo implies.
std::optional<std::string> smt_state() {
  if (auto control = sysfs_value("/sys/devices/system/cpu/smt/control")) return control;
  return smt_from_cpuinfo(read_text("/proc/cpuinfo"));
}

std::string json_or_null(const std::optional<std::string>& v) {
  return v ? json::string(*v) : "null";
}

std::optional<long> cpuinfo_number(std::string_view cpuinfo, std::string_view field) {
  std::size_t at = 0;
  while (at < cpuinfo.size()) {
    const auto end = cpuinfo.find('\n', at);
    const std::string_view line =
        cpuinfo.substr(at, end == std::string_view::npos ? end : end - at);
    if (line.substr(0, field.size()) == field) {
      const auto colon = line.find(':');
      // The name must be the whole key: "cpu cores" must not match "cpu cores2".
      if (colon != std::string_view::npos &&
          line.substr(field.size(), colon - field.size()).find_first_not_of(" \t") ==
              std::string_view::npos) {
        try {
          return std::stol(std::string(line.substr(colon + 1)));
        } catch (...) {
          return std::nullopt;
        }
      }
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::string machine_json() {
  const auto mem = parse_meminfo_kb(read_text("/proc/meminfo"), "MemTotal");
  return json::Object()
      .integer("cores", cores())
      .str("model", cpu_model())
      .str("kernel", kernel())
      .integer("mem_total_kb", mem ? static_cast<std::int64_t>(*mem) : 0)
      .str("os", os_name())
      .raw("governor",
           json_or_null(sysfs_value("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")))
      .raw("smt", json_or_null(smt_state()))
      .text();
}

std::optional<std::string> smt_from_cpuinfo(std::string_view cpuinfo) {
  // The first processor's entry speaks for the machine.
  const auto siblings = cpuinfo_number(cpuinfo, "siblings");
  const auto cores = cpuinfo_number(cpuinfo, "cpu cores");
  if (!siblings || !cores || *cores <= 0) return std::nullopt;
  return *siblings > *cores ? "on" : "off";
}

std::string versions_json() {
  std::string describe =
      command_output("git -C '" OFFLOAD_SOURCE_DIR "' describe --always --dirty 2>/dev/null");
  const unsigned long hp = http_parser_version();
  char hp_text[32];
  std::snprintf(hp_text, sizeof hp_text, "%lu.%lu.%lu", (hp >> 16) & 255, (hp >> 8) & 255,
                hp & 255);
  return json::Object()
      .str("offload_lab", describe.empty() ? "unknown" : describe)
      .str("libuv", uv_version_string())
      .str("onetbb", TBB_runtime_version())
      .str("boost", BOOST_LIB_VERSION)
      .str("http_parser", hp_text)
      .str("compiler", __VERSION__)
      .text();
}

std::string git_revision() {
  const std::string rev =
      command_output("git -C '" OFFLOAD_SOURCE_DIR "' rev-parse HEAD 2>/dev/null");
  return rev.empty() ? "unknown" : rev;
}

std::string machine_line() {
  return std::to_string(cores()) + " cores, " + cpu_model() + ", " + kernel();
}

std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace bench
