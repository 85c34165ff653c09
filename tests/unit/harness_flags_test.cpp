// The flag library offload-server and offload-bench share (flags/): the command-line rules
// (--flag=value, switches, --help anywhere, a flag over its variable, which is then not read),
// the unit parsers with the rules they name, CPU lists, and the help layout that never glues
// a flag to its text.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "flag_cpu_list.hpp"
#include "flag_help.hpp"
#include "flag_table.hpp"
#include "flag_units.hpp"

namespace {

struct Target {
  std::uint64_t n = 0;
  bool on = false;
  std::string name;
  std::vector<std::string> applied;  // in the order the values were applied
};

const std::vector<flags::Option<Target>>& table() {
  static const std::vector<flags::Option<Target>> t = {
      {"--n", "N_VAR", "N", "a count (default 0)",
       [](const std::string& v, Target& t) -> std::string {
         if (!flags::parse_u64(v, 1, 9, t.n)) return flags::integer_rule(1, 9);
         t.applied.push_back("n=" + v);
         return {};
       }},
      {"--on", nullptr, nullptr, "a switch",
       [](const std::string&, Target& t) -> std::string {
         t.on = true;
         return {};
       }},
      {"--name", "NAME_VAR", "TEXT", "a name",
       [](const std::string& v, Target& t) -> std::string {
         if (v.find(' ') != std::string::npos) return "must hold no spaces";
         t.name = v;
         t.applied.push_back("name=" + v);
         return {};
       },
       "is not a name: ignored"},
  };
  return t;
}

flags::Result parse(std::vector<std::string> args, Target& t,
                    std::map<std::string, std::string> env = {}) {
  return flags::parse(table(), args, t, [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(FlagTableTest, ValuesSwitchesAndTheirErrors) {
  Target t;
  ASSERT_EQ(parse({"--n", "3", "--on", "--name=x"}, t).status, flags::Status::ok);
  EXPECT_EQ(t.n, 3u);
  EXPECT_TRUE(t.on);
  EXPECT_EQ(t.name, "x");
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--bogus"}, "unknown option --bogus (see --help)"},
      {{"--n"}, "--n needs a value"},
      {{"--on=1"}, "--on takes no value"},
      {{"--n", "12"}, "--n 12: must be an integer from 1 to 9"},
      {{"--n=x"}, "--n x: must be an integer from 1 to 9"},
      {{"-n", "3"}, "unknown option -n (see --help)"},
  };
  for (const auto& [args, message] : bad) {
    Target u;
    const auto r = parse(args, u);
    EXPECT_EQ(r.status, flags::Status::error) << args[0];
    EXPECT_EQ(r.message, message);
  }
}

TEST(FlagTableTest, HelpAnswersWhateverElseIsGiven) {
  Target t;
  EXPECT_EQ(parse({"--n", "99", "--help"}, t).status, flags::Status::help);
  EXPECT_EQ(parse({"-h"}, t, {{"N_VAR", "zzz"}}).status, flags::Status::help);
}

TEST(FlagTableTest, AFlagWinsAndItsVariableIsNotRead) {
  Target t;
  ASSERT_EQ(parse({}, t, {{"N_VAR", "4"}}).status, flags::Status::ok);
  EXPECT_EQ(t.n, 4u);
  Target u;
  const auto r = parse({"--n", "5"}, u, {{"N_VAR", "not a number"}, {"NAME_VAR", "a"}});
  ASSERT_EQ(r.status, flags::Status::ok) << r.message;
  EXPECT_EQ(u.n, 5u);
  // The variables first, then the flags in the order given.
  EXPECT_EQ(u.applied, (std::vector<std::string>{"name=a", "n=5"}));
  Target v;
  EXPECT_EQ(parse({}, v, {{"N_VAR", "0"}}).message, "N_VAR=0: must be an integer from 1 to 9");
  // An empty variable is as good as none.
  Target w;
  EXPECT_EQ(parse({}, w, {{"N_VAR", ""}}).status, flags::Status::ok);
  EXPECT_EQ(w.n, 0u);
}

TEST(FlagTableTest, AVariableWithANoteIsSetAsideNotAnError) {
  Target t;
  const auto r = parse({}, t, {{"NAME_VAR", "two words"}});
  ASSERT_EQ(r.status, flags::Status::ok);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "NAME_VAR=two words is not a name: ignored");
  EXPECT_EQ(t.name, "");
  // The flag itself is still checked.
  EXPECT_EQ(parse({"--name", "two words"}, t).message, "--name two words: must hold no spaces");
}

TEST(FlagUnitsTest, NumbersAndSeconds) {
  std::int64_t i = 0;
  EXPECT_TRUE(flags::parse_i64("-20", -20, 19, i));
  EXPECT_EQ(i, -20);
  EXPECT_FALSE(flags::parse_i64("20", -20, 19, i));
  EXPECT_FALSE(flags::parse_i64("+1", -20, 19, i));
  EXPECT_EQ(i, -20) << "a refused value leaves the output alone";
  std::uint64_t u = 7;
  EXPECT_FALSE(flags::parse_u64("-1", 0, 9, u));
  EXPECT_FALSE(flags::parse_u64("1.5", 0, 9, u));
  EXPECT_FALSE(flags::parse_u64("", 0, 9, u));
  EXPECT_EQ(u, 7u);
  double d = 0;
  EXPECT_TRUE(flags::parse_number("1e-3", d));
  EXPECT_FALSE(flags::parse_number("inf", d));
  EXPECT_FALSE(flags::parse_number("1 ", d));
  // The server's seconds: whole milliseconds at least, a day at most; no units.
  EXPECT_EQ(flags::parse_seconds("0.001", d), "");
  EXPECT_DOUBLE_EQ(d, 0.001);
  EXPECT_EQ(flags::parse_seconds("0.0009", d),
            "must be at least 0.001 (1 ms, the timers' resolution)");
  for (const char* bad : {"0", "-1", "86401", "10s", "", "nan"})
    EXPECT_EQ(flags::parse_seconds(bad, d),
              "must be a number of seconds, above 0 and at most 86400")
        << bad;
  // The harness's durations: units allowed, up to a bound.
  EXPECT_TRUE(flags::parse_duration("500ms", d));
  EXPECT_DOUBLE_EQ(d, 0.5);
  EXPECT_TRUE(flags::parse_duration("2m", d));
  EXPECT_DOUBLE_EQ(d, 120);
  EXPECT_FALSE(flags::parse_duration("2m", d, 60));
  EXPECT_FALSE(flags::parse_duration("1h", d));
  EXPECT_FALSE(flags::parse_duration("s", d));
}

TEST(FlagUnitsTest, SizesAndLists) {
  const std::uint64_t max = std::uint64_t{64} << 20;
  EXPECT_EQ(flags::parse_size("4k", 1, max), 4096u);
  EXPECT_EQ(flags::parse_size("1M", 1, max), 1u << 20);
  EXPECT_EQ(flags::parse_size("64KiB", 1, max), 65536u);
  EXPECT_EQ(flags::parse_size("1000", 1, max), 1000u);
  std::string why;
  EXPECT_FALSE(flags::parse_size("65m", 1, max, &why));
  EXPECT_EQ(why, "is out of range: 1 byte .. 64 MiB");
  EXPECT_FALSE(flags::parse_size("0", 1, max, &why));
  EXPECT_EQ(why, "is out of range: 1 byte .. 64 MiB");
  EXPECT_FALSE(flags::parse_size("99999999999999999999999k", 1, max, &why));
  EXPECT_EQ(why, "is out of range: 1 byte .. 64 MiB");
  EXPECT_FALSE(flags::parse_size("4g", 1, max, &why));
  EXPECT_EQ(why, "has an unknown unit 'g' (use none, k or m; binary: 1k = 1024)");
  EXPECT_FALSE(flags::parse_size("k", 1, max, &why));
  EXPECT_EQ(why, "must start with a decimal number of bytes (e.g. 4096, 4k, 1m)");
  EXPECT_EQ(flags::size_label(65536), "64k");
  EXPECT_EQ(flags::size_label(1u << 20), "1m");
  EXPECT_EQ(flags::size_label(1000), "1000");
  EXPECT_EQ(flags::split("a,,b,", ','), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_TRUE(flags::split("", ',').empty());
  EXPECT_EQ(flags::parse_list("", [](const std::string&) { return std::string(); }),
            "must be a comma-separated list");
  EXPECT_EQ(flags::parse_list("a,b", [](const std::string& s) { return s == "b" ? "no b" : ""; }),
            "no b");
}

TEST(FlagCpuListTest, ListsAndRanges) {
  EXPECT_EQ(flags::parse_cpu_list("0-2,5,1", 8), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_EQ(flags::format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  for (const char* bad : {"", "8", "1-0", "-1", "0,", ",0", "a", "0-", "0--1", "0 1"})
    EXPECT_FALSE(flags::parse_cpu_list(bad, 8).has_value()) << "'" << bad << "'";
}

TEST(FlagHelpTest, EveryTextInItsColumnAndNoFlagGluedToIt) {
  const std::vector<flags::HelpRow> rows = {
      {"--port N", "TCP port", "PORT"},
      {"--a-flag-far-too-long-for-the-column SIZE", "its text on the next line", ""},
      {"--two", "first line\nsecond line", ""},
  };
  const std::string text = flags::help_table(rows, flags::HelpLayout{2, 20, 0});
  EXPECT_EQ(text,
            "  --port N          TCP port [PORT]\n"
            "  --a-flag-far-too-long-for-the-column SIZE\n"
            "                    its text on the next line\n"
            "  --two             first line\n"
            "                    second line\n");
  // With a width, words wrap within it and keep to the column.
  const std::string wrapped = flags::help_table(
      {{"--x", "one two three four five six seven eight nine ten eleven twelve", "X_VAR"}},
      flags::HelpLayout{2, 10, 40});
  std::istringstream lines(wrapped);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_LE(line.size(), 40u) << line;
    EXPECT_EQ(line.find_first_not_of(' '), n == 1 ? 2u : 10u) << line;
  }
  EXPECT_GT(n, 1);
  EXPECT_NE(wrapped.find("[X_VAR]"), std::string::npos);
  // A table's rows end with --help's.
  const std::string help = flags::help_table(table(), flags::HelpLayout{});
  EXPECT_NE(help.find("  --n N                   a count (default 0) [N_VAR]\n"), std::string::npos)
      << help;
  EXPECT_NE(help.find("  --on                    a switch\n"), std::string::npos) << help;
  EXPECT_NE(help.find("  --help                  show this help and exit\n"), std::string::npos);
}

}  // namespace
