// Configuration: defaults, env fallbacks, flags over env, and one clear message per bad value.
#include <gtest/gtest.h>

#include <map>

#include "config.hpp"

namespace {

struct Parsed {
  app::ConfigResult result;
  app::Config config;
};

Parsed parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::vector<const char*> argv = {"offload-server"};
  for (auto& a : args) argv.push_back(a.c_str());
  Parsed p;
  p.result = app::parse_config(
      static_cast<int>(argv.size()), argv.data(),
      [&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      p.config);
  return p;
}

TEST(Config, Defaults) {
  const auto p = parse({});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok);
  EXPECT_EQ(p.config.port, 8080);
  EXPECT_EQ(p.config.host, "127.0.0.1");
  EXPECT_EQ(p.config.fib, 30u);
  EXPECT_EQ(p.config.max_n, 45u);
  EXPECT_GE(p.config.workers, 1u);
  EXPECT_EQ(p.config.idle_timeout_s, 60);
}

TEST(Config, EnvironmentFallbacksAndFlagsWin) {
  auto p = parse({}, {{"FIB", "20"}, {"STRATEGY", "process"}, {"PORT", "9000"}, {"WORKERS", "3"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok);
  EXPECT_EQ(p.config.fib, 20u);
  EXPECT_EQ(p.config.strategy, "process");
  EXPECT_EQ(p.config.port, 9000);
  EXPECT_EQ(p.config.workers, 3u);
  p = parse({"--fib", "25", "--strategy=inline"}, {{"FIB", "20"}, {"STRATEGY", "process"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok);
  EXPECT_EQ(p.config.fib, 25u);
  EXPECT_EQ(p.config.strategy, "inline");
}

TEST(Config, BadValuesNameTheRule) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--strategy", "fork"}, "inline, thread, process"},
      {{"--port", "70000"}, "from 0 to 65535"},
      {{"--port", "80a"}, "integer"},
      {{"--fib", "0"}, "from 1"},
      {{"--fib", "50"}, "at most --max-n"},
      {{"--workers", "-1"}, "integer"},
      {{"--idle-timeout", "0"}, "above 0"},
      {{"--host", "example.org"}, "IPv4 or IPv6"},
      {{"--bogus"}, "unknown option"},
      {{"--port"}, "needs a value"},
  };
  for (const auto& [args, expected] : cases) {
    const auto p = parse(args);
    EXPECT_EQ(p.result.status, app::ConfigStatus::error) << args[0];
    EXPECT_NE(p.result.message.find(expected), std::string::npos) << p.result.message;
    EXPECT_EQ(p.result.message.find('\n'), std::string::npos) << "one line: " << p.result.message;
  }
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  const auto p = parse({}, {{"FIB", "abc"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::error);
  EXPECT_NE(p.result.message.find("FIB=abc"), std::string::npos) << p.result.message;
}

TEST(Config, AVariableWhoseFlagIsGivenIsNotRead) {
  // A shell with WORKERS=1,2 (a harness script's own list) must not stop --workers 4.
  auto p = parse({"--workers", "4", "--fib=22"}, {{"WORKERS", "1,2"}, {"FIB", "x"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << p.result.message;
  EXPECT_EQ(p.config.workers, 4u);
  EXPECT_EQ(p.config.fib, 22u);
  // The other variables are still read, and still checked.
  p = parse({"--workers", "4"}, {{"WORKERS", "1,2"}, {"MAX_QUEUE", "oops"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::error);
  EXPECT_NE(p.result.message.find("MAX_QUEUE=oops"), std::string::npos) << p.result.message;
  // --help answers whatever the environment holds.
  EXPECT_EQ(parse({"--help"}, {{"WORKERS", "1,2"}}).result.status, app::ConfigStatus::help);
  // A flag's rule still applies to the flag: --fib past --max-n from the environment.
  p = parse({"--fib", "40"}, {{"MAX_N", "35"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::error);
  EXPECT_NE(p.result.message.find("at most --max-n (35)"), std::string::npos) << p.result.message;
}

TEST(Config, HelpListsEveryFlagWithItsVariable) {
  EXPECT_EQ(parse({"--help"}).result.status, app::ConfigStatus::help);
  const std::string text = app::usage();
  for (const char* s : {"--strategy", "STRATEGY", "--port", "PORT", "--fib", "FIB", "--workers",
                        "WORKERS", "--max-queue", "--host", "--idle-timeout", "--help"})
    EXPECT_NE(text.find(s), std::string::npos) << s;
}

TEST(Config, GpgWorkloadKnobs) {
  auto p = parse({"--workload", "gpg", "--payload-bytes", "1m", "--gpg-home", "per-worker",
                  "--gpg-key", "rsa3072"});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << p.result.message;
  EXPECT_EQ(p.config.workload, "gpg");
  EXPECT_EQ(p.config.payload_bytes, 1u << 20);
  EXPECT_EQ(p.config.gpg_home, "per-worker");
  EXPECT_EQ(p.config.gpg_key, "rsa3072");
  p = parse({}, {{"WORKLOAD", "gpg"}, {"PAYLOAD", "4k"}});
  EXPECT_EQ(p.config.payload_bytes, 4096u);
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--workload", "rsa"},
                                             {"--payload-bytes", "0"},
                                             {"--payload-bytes", "65m"},
                                             {"--payload-bytes", "2m", "--max-payload-bytes", "1m"},
                                             {"--gpg-home", "mine"},
                                             {"--gpg-key", "dsa"}}) {
    EXPECT_EQ(parse(args).result.status, app::ConfigStatus::error) << args[0] << " " << args[1];
  }
}

TEST(Config, LocalhostAndIpv6Hosts) {
  EXPECT_EQ(parse({"--host", "localhost"}).config.host, "127.0.0.1");
  EXPECT_EQ(parse({"--host", "::1"}).config.host, "::1");
}

}  // namespace
