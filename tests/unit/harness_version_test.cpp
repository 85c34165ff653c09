// The --version text both programs print (flags/flag_version.hpp): the project's version from
// CMake, the build's git revision, one library a line; and offload-bench's own list.
#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <sstream>

#include "cli/version.hpp"
#include "flag_version.hpp"

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(VersionTest, ProjectVersionAndRevision) {
  EXPECT_TRUE(std::regex_match(flags::project_version(), std::regex(R"(\d+\.\d+\.\d+)")))
      << flags::project_version();
  // git describe --always gives at least an abbreviated hash; without git, "unknown".
  EXPECT_TRUE(std::regex_match(flags::git_revision(), std::regex(R"(unknown|\S{7,})")))
      << flags::git_revision();
}

TEST(VersionTest, OneComponentALine) {
  const auto text = flags::version_text("prog", {{"liba", "1.2"}, {"libb", "3"}});
  EXPECT_EQ(lines(text),
            (std::vector<std::string>{"prog " + flags::project_version(),
                                      "revision " + flags::git_revision(), "liba 1.2", "libb 3"}));
}

TEST(VersionTest, BenchReportsTheLibrariesItRuns) {
  const auto all = lines(bench::version_text());
  ASSERT_GE(all.size(), 6u);
  EXPECT_EQ(all[0], "offload-bench " + flags::project_version());
  // The library loaded at run time, not a header's promise.
  EXPECT_NE(std::find(all.begin(), all.end(), std::string("libuv ") + uv_version_string()),
            all.end());
  for (const char* name : {"oneTBB ", "http_parser ", "Boost ", "compiler "}) {
    bool found = false;
    for (const auto& l : all)
      found = found || (l.rfind(name, 0) == 0 && l.size() > std::strlen(name));
    EXPECT_TRUE(found) << name;
  }
}

}  // namespace
