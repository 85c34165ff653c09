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

}  // namespace

std::string machine_json() {
  const auto mem = parse_meminfo_kb(read_text("/proc/meminfo"), "MemTotal");
  return json::Object()
      .integer("cores", cores())
      .str("model", cpu_model())
      .str("kernel", kernel())
      .integer("mem_total_kb", mem ? static_cast<std::int64_t>(*mem) : 0)
      .str("os", os_name())
      .text();
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
