// /metrics the way its users consume it: Prometheus's own linter (`promtool check metrics`) on a
// live server of every strategy, and a real Prometheus scraping a server under light load and
// answering a PromQL query for the /hi p99. Both programs come from Debian's `prometheus`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "raw_http.hpp"
#include "server_process.hpp"
#include "strategy_registry.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
using testsupport::get_request;
using testsupport::roundtrip;
using testsupport::ServerProcess;

namespace fs = std::filesystem;

// fib, or gpg for a strategy that runs only workloads waiting on other processes (async).
std::unique_ptr<ServerProcess> start(const std::string& strategy) {
  std::vector<std::string> args = {"--strategy", strategy, "--port", "0", "--workers", "2"};
  if (offload::find_strategy(strategy)->runs_any_workload())
    args.insert(args.end(), {"--fib", "18"});
  else
    args.insert(args.end(), {"--workload", "gpg", "--payload-bytes", "4k"});
  return std::make_unique<ServerProcess>(OFFLOAD_SERVER, args, std::map<std::string, std::string>{},
                                         std::chrono::seconds(60));
}

fs::path make_temp_dir(const std::string& stem) {
  std::string pattern = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A free loopback port: bound once by the kernel's choice and released. Prometheus cannot be
// told to pick one itself and say which.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot find a free port");
  close(fd);
  return ntohs(addr.sin_port);
}

// The server's /metrics after a few requests of each kind.
std::string exercised_metrics(int port) {
  for (const char* target : {"/", "/hi", "/hi", "/nowhere"}) roundtrip(port, get_request(target));
  const auto m = roundtrip(port, get_request("/metrics"));
  return m && m->status == 200 ? m->body : std::string();
}

class Promtool : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(AllStrategies, Promtool, ::testing::ValuesIn(offload::strategy_names()),
                         [](const auto& info) { return info.param; });

TEST_P(Promtool, CheckMetricsFindsNoProblem) {
  auto server = start(GetParam());
  const std::string metrics = exercised_metrics(server->port());
  ASSERT_FALSE(metrics.empty());
  const auto r = testsupport::promtool_check(metrics);
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
      << "promtool check metrics: " << r.output;
  EXPECT_EQ(r.output, "") << "promtool's complaints";
}

// promtool must be able to fail: a histogram whose buckets decrease, a bad name, and a label
// value that is not UTF-8 are errors it reports.
TEST(Promtool, RejectsABrokenExposition) {
  for (const std::string bad : {"# HELP x_seconds broken\n# TYPE x_seconds histogram\n"
                                "x_seconds_bucket{le=\"1\"} 5\nx_seconds_bucket{le=\"+Inf\"} 3\n"
                                "x_seconds_sum 1\nx_seconds_count 3\nbad name 1\n",
                                "# HELP x broken\n# TYPE x gauge\nx{worker=\"a\xff\"} 1\n",
                                "# HELP x broken\n# TYPE x gauge\nx{worker=\"a\"b\"} 1\n"}) {
    const auto r = testsupport::promtool_check(bad);
    EXPECT_FALSE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << bad << r.output;
  }
}

// A real Prometheus, started like a user starts it, owned and stopped by pid.
class PrometheusProcess {
 public:
  PrometheusProcess(int target_port) : dir_(make_temp_dir("offload-prom")), port_(free_port()) {
    std::ofstream(dir_ / "prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           "scrape_configs:\n  - job_name: offload\n    static_configs:\n"
           "      - targets: ['127.0.0.1:"
        << target_port << "']\n";
    const std::string log = (dir_ / "prometheus.log").string();
    std::vector<std::string> args = {
        "prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (dir_ / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int err = posix_spawnp(&pid_, "prometheus", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) throw std::runtime_error("cannot start prometheus: " + std::to_string(err));
  }
  ~PrometheusProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 1000 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(10ms);
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  int port() const { return port_; }
  bool exited() const { return waitpid(pid_, nullptr, WNOHANG) != 0; }
  std::string log() const { return read_file(dir_ / "prometheus.log"); }

 private:
  fs::path dir_;
  int port_;
  pid_t pid_ = -1;
};

std::string url_encode(const std::string& text) {
  std::string out;
  char hex[4];
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// The value of the first sample of an instant-vector answer: ..."value":[<time>,"<number>"]...
std::optional<double> first_value(const std::string& json) {
  const auto at = json.find("\"value\":[");
  if (at == std::string::npos) return std::nullopt;
  const auto open = json.find('"', json.find(',', at));
  const auto close = json.find('"', open + 1);
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  const std::string number = json.substr(open + 1, close - open - 1);
  try {
    return std::stod(number);
  } catch (...) {
    return std::nullopt;  // "NaN" parses; anything else is not a number
  }
}

TEST(Prometheus, ScrapesTheServerAndAnswersTheHiP99) {
  auto server = start("thread");
  const int port = server->port();
  PrometheusProcess prometheus(port);
  // Light load beside it: /hi every 20 ms and a heavy job now and then, bounded in time.
  std::atomic<bool> stop{false};
  std::thread load([&] {
    const auto end = std::chrono::steady_clock::now() + 40s;
    for (int i = 0; !stop.load() && std::chrono::steady_clock::now() < end; ++i) {
      try {
        roundtrip(port, get_request(i % 10 == 0 ? "/" : "/hi"));
      } catch (const std::exception&) {
        // the server is checked by the query: a failed probe here only thins the load
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  const std::string query =
      "histogram_quantile(0.99, "
      "rate(offload_http_request_duration_seconds_bucket{endpoint=\"hi\"}[5s]))";
  const std::string request = get_request("/api/v1/query?query=" + url_encode(query));
  std::optional<double> p99;
  std::string last;
  // Up in about a second, two scrapes a second apart make a rate: well within the deadline.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && !prometheus.exited()) {
    try {
      if (const auto r = roundtrip(prometheus.port(), request, 2s); r && r->status == 200) {
        last = r->body;
        p99 = first_value(r->body);
        if (p99 && std::isfinite(*p99)) break;
      }
    } catch (const std::exception& e) {
      last = e.what();  // not listening yet
    }
    std::this_thread::sleep_for(200ms);
  }
  stop = true;
  load.join();
  ASSERT_TRUE(p99 && std::isfinite(*p99))
      << "no /hi p99 from Prometheus; last answer: " << last << "\nprometheus log:\n"
      << prometheus.log();
  EXPECT_GT(*p99, 0.0);
  EXPECT_LT(*p99, 10.0) << "seconds: /hi answers in far less under light load";
}

}  // namespace
