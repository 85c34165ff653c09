// Configuration: defaults, env fallbacks, flags over env, and one clear message per bad value.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <functional>
#include <map>
#include <sstream>

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
      {{"--worker-nice", "20"}, "must be an integer from -20 to 19"},
      {{"--worker-cpus", "0-3,,6"}, "must be a CPU list like 1 or 0-3,6 with CPUs from 0 to"},
      {{"--loop-cpu", "0-1"}, "must be one CPU number of this machine"},
      {{"--payload-bytes", "65m"}, "payload size '65m' is out of range: 1 byte .. 64 MiB"},
      {{"--payload-bytes", "4g"}, "payload size '4g' has an unknown unit 'g'"},
      {{"--job-timeout", "10s"}, "must be a number of seconds, above 0 and at most 86400"},
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
  const auto flags = app::flags();
  EXPECT_GE(flags.size(), 26u);
  for (const auto& f : flags) {
    EXPECT_NE(text.find("  " + f.flag + " " + f.value_name), std::string::npos) << f.flag;
    if (!f.env.empty()) {
      EXPECT_NE(text.find("[" + f.env + "]"), std::string::npos) << f.env;
    }
  }
  EXPECT_NE(text.find("--help"), std::string::npos);
}

TEST(Config, HelpGivesEveryTextItsColumnAndGluesNoFlagToIt) {
  // Each flag's text starts in one column, at least two spaces after the flag, or on the next
  // line when the flag is too long for it; every line fits in 100 columns.
  std::istringstream lines(app::usage());
  std::string line;
  std::size_t column = 0, rows = 0;
  bool in_table = false, expect_text = false;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 100u) << line;
    if (line.rfind("options", 0) == 0) in_table = true;
    if (!in_table || line.empty() || line.rfind("options", 0) == 0) continue;
    if (line[0] != ' ') break;  // the example after the table
    const std::size_t text_at = line.find_first_not_of(' ');
    if (line.rfind("  --", 0) == 0) {
      ++rows;
      const std::size_t gap = line.find("  ", 2);
      EXPECT_FALSE(expect_text) << "a long flag without its text: " << line;
      if (gap == std::string::npos) {  // a flag too long for the column: its text follows
        bool whole = false;            // the line is the flag and its value name, nothing else
        for (const auto& f : app::flags())
          whole = whole || line == "  " + f.flag + " " + f.value_name;
        EXPECT_TRUE(whole) << "a flag glued to its text: " << line;
        expect_text = true;
        continue;
      }
      const std::size_t at = line.find_first_not_of(' ', gap);
      if (column == 0) column = at;
      EXPECT_EQ(at, column) << line;
      expect_text = false;
    } else {
      EXPECT_EQ(text_at, column) << "a text line out of its column: " << line;
      expect_text = false;
    }
  }
  EXPECT_FALSE(expect_text);
  EXPECT_EQ(rows, app::flags().size() + 1) << "every flag and --help";
  EXPECT_GE(column, 20u);
}

// One accepted value per flag, different from the default, and what it must change. Read
// against the flag table: a flag added there without a line here fails the test below.
struct FlagCase {
  std::string value;
  std::function<bool(const app::Config&)> took_effect;
};

// A workload flag's text as given, "" when it was not.
std::string given(const app::Config& c, const std::string& name) {
  const auto it = c.workload_flags.find(name);
  return it == c.workload_flags.end() ? "" : it->second;
}

const std::map<std::string, FlagCase>& flag_cases() {
  using C = app::Config;
  static const std::map<std::string, FlagCase> cases = {
      {"--strategy", {"process", [](const C& c) { return c.strategy == "process"; }}},
      {"--host", {"::1", [](const C& c) { return c.host == "::1"; }}},
      {"--port", {"9001", [](const C& c) { return c.port == 9001; }}},
      {"--fib", {"21", [](const C& c) { return c.fib == 21u; }}},
      {"--max-n", {"50", [](const C& c) { return c.max_n == 50u; }}},
      {"--workers", {"3", [](const C& c) { return c.workers == 3u; }}},
      {"--max-queue", {"7", [](const C& c) { return c.max_queue == 7u; }}},
      {"--workload", {"gpg", [](const C& c) { return c.workload == "gpg"; }}},
      // A workload's own flags reach it as typed, under their names without dashes.
      {"--payload-bytes", {"4k", [](const C& c) { return given(c, "payload-bytes") == "4k"; }}},
      {"--max-payload-bytes",
       {"32m", [](const C& c) { return given(c, "max-payload-bytes") == "32m"; }}},
      {"--gpg-home",
       {"per-worker", [](const C& c) { return given(c, "gpg-home") == "per-worker"; }}},
      {"--gpg-key", {"rsa3072", [](const C& c) { return given(c, "gpg-key") == "rsa3072"; }}},
      {"--allow-corrupt", {"1", [](const C& c) { return given(c, "allow-corrupt") == "1"; }}},
      {"--worker-nice", {"-3", [](const C& c) { return c.worker_nice == -3; }}},
      {"--worker-policy", {"batch", [](const C& c) { return c.worker_policy == "batch"; }}},
      {"--loop-cpu", {"0", [](const C& c) { return c.loop_cpu == 0; }}},
      {"--worker-cpus", {"0", [](const C& c) { return c.worker_cpus == "0"; }}},
      {"--min-workers", {"2", [](const C& c) { return c.min_workers == 2u; }}},
      {"--max-workers", {"5", [](const C& c) { return c.max_workers == 5u; }}},
      {"--worker-idle-timeout", {"2.5", [](const C& c) { return c.worker_idle_timeout_s == 2.5; }}},
      {"--max-jobs-per-worker", {"100", [](const C& c) { return c.max_jobs_per_worker == 100u; }}},
      {"--idle-timeout", {"7", [](const C& c) { return c.idle_timeout_s == 7; }}},
      {"--header-timeout", {"0.25", [](const C& c) { return c.header_timeout_s == 0.25; }}},
      {"--job-timeout", {"0", [](const C& c) { return c.job_timeout_s == 0; }}},
      {"--max-conns", {"8", [](const C& c) { return c.max_conns == 8u; }}},
      {"--drain-timeout", {"0.5", [](const C& c) { return c.drain_timeout_s == 0.5; }}},
      {"--nats",
       {"nats://192.0.2.7:4222", [](const C& c) { return c.nats_url == "nats://192.0.2.7:4222"; }}},
      {"--nats-token", {"s3cret", [](const C& c) { return c.nats_token == "s3cret"; }}},
      {"--remote-retries", {"3", [](const C& c) { return c.remote_retries == 3u; }}},
  };
  return cases;
}

TEST(Config, EveryFlagSetsItsFieldFromTheCommandLineAndFromItsVariable) {
  const auto defaults = parse({});
  ASSERT_EQ(defaults.result.status, app::ConfigStatus::ok);
  for (const auto& f : app::flags()) {
    const auto it = flag_cases().find(f.flag);
    if (it == flag_cases().end()) {
      ADD_FAILURE() << f.flag << " has no case in flag_cases(): add one";
      continue;
    }
    const auto& [value, took_effect] = it->second;
    EXPECT_FALSE(took_effect(defaults.config)) << f.flag << ": the case's value is the default";
    auto p = parse({f.flag, value});
    ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << f.flag << ": " << p.result.message;
    EXPECT_TRUE(took_effect(p.config)) << f.flag << " " << value;
    p = parse({f.flag + "=" + value});
    EXPECT_TRUE(took_effect(p.config)) << f.flag << "=" << value;
    if (f.env.empty()) continue;
    p = parse({}, {{f.env, value}});
    ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << f.env << ": " << p.result.message;
    EXPECT_TRUE(took_effect(p.config)) << f.env << "=" << value;
  }
  EXPECT_EQ(flag_cases().size(), app::flags().size()) << "a case for a flag that is gone";
}

TEST(Config, DurationsUnderAMillisecondAreRefusedNotRoundedToZero) {
  // Timers count whole milliseconds: 0.0004 s would be 0, i.e. "never" or "at once".
  int durations = 0;
  for (const auto& f : app::flags()) {
    if (f.value_name != "SEC") continue;
    ++durations;
    for (const char* tiny : {"0.0004", "0.0009", "1e-5"}) {
      const auto p = parse({f.flag, tiny});
      EXPECT_EQ(p.result.status, app::ConfigStatus::error) << f.flag << " " << tiny;
      EXPECT_NE(p.result.message.find("at least 0.001"), std::string::npos) << p.result.message;
    }
    EXPECT_EQ(parse({f.flag, "0.001"}).result.status, app::ConfigStatus::ok) << f.flag;
    if (!f.env.empty()) {
      EXPECT_EQ(parse({}, {{f.env, "0.0004"}}).result.status, app::ConfigStatus::error) << f.env;
    }
  }
  EXPECT_EQ(durations, 5);  // idle, header, job, drain, worker idle
}

TEST(Config, AHostVariableThatIsNoAddressIsIgnoredWithANote) {
  // tcsh exports HOST=<the machine's name>: that must not stop the server.
  auto p = parse({}, {{"HOST", "build-box.example.org"}});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << p.result.message;
  EXPECT_EQ(p.config.host, "127.0.0.1");
  ASSERT_EQ(p.result.notes.size(), 1u);
  EXPECT_NE(p.result.notes[0].find("HOST=build-box.example.org"), std::string::npos);
  EXPECT_NE(p.result.notes[0].find("ignored"), std::string::npos);
  // An address is still taken, and --host still refuses a name.
  p = parse({}, {{"HOST", "0.0.0.0"}});
  EXPECT_EQ(p.config.host, "0.0.0.0");
  EXPECT_TRUE(p.result.notes.empty());
  EXPECT_EQ(parse({"--host", "build-box"}).result.status, app::ConfigStatus::error);
  // Other variables still stop it when wrong.
  EXPECT_EQ(parse({}, {{"PORT", "http"}}).result.status, app::ConfigStatus::error);
}

TEST(Config, MaxConnsDefaultsToTheOpenFileLimitLessAMargin) {
  const auto p = parse({"--workers", "4"});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok);
  rlimit lim{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
  EXPECT_EQ(p.config.max_conns, app::default_max_conns(4));
  EXPECT_GT(p.config.max_conns, 0u);
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max > 1000) {
    EXPECT_LT(p.config.max_conns, lim.rlim_max);
    EXPECT_GE(p.config.max_conns, lim.rlim_max - 200);
  }
  EXPECT_EQ(parse({"--max-conns", "0"}).result.status, app::ConfigStatus::error);
}

TEST(Config, GpgWorkloadKnobs) {
  auto p = parse({"--workload", "gpg", "--payload-bytes", "1m", "--gpg-home", "per-worker",
                  "--gpg-key", "rsa3072"});
  ASSERT_EQ(p.result.status, app::ConfigStatus::ok) << p.result.message;
  EXPECT_EQ(p.config.workload, "gpg");
  const auto settings = app::workload_settings(p.config);
  EXPECT_EQ(settings.at("payload-bytes"), "1m");
  EXPECT_EQ(settings.at("gpg-home"), "per-worker");
  EXPECT_EQ(settings.at("gpg-key"), "rsa3072");
  EXPECT_EQ(settings.at("fib"), "30");
  EXPECT_EQ(settings.count("max-payload-bytes"), 0u) << "a flag not given is left to its workload";
  p = parse({}, {{"WORKLOAD", "gpg"}, {"PAYLOAD", "4k"}});
  EXPECT_EQ(app::workload_settings(p.config).at("payload-bytes"), "4k");
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
