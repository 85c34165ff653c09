// The revision comes from a header that the build writes again (only when it changed) on
// every build, not only at configure time, so a rebuilt program never reports an old commit.
#include "flag_version.hpp"

#include <uv.h>

#include <boost/version.hpp>
#include <cstring>

#include "offload_git_revision.hpp"

#ifndef OFFLOAD_PROJECT_VERSION
#error "OFFLOAD_PROJECT_VERSION comes from CMake's project(VERSION)"
#endif

namespace offload_detail {
std::string http_parser_version_text();  // http_parser_version.cpp
}

namespace flags {

std::string project_version() {
  return OFFLOAD_PROJECT_VERSION;
}

std::string git_revision() {
  return OFFLOAD_GIT_REVISION;
}

std::vector<Component> common_components() {
  // BOOST_LIB_VERSION is "1_74": the dotted form is what Boost's own pages say.
  std::string boost = BOOST_LIB_VERSION;
  for (char& c : boost)
    if (c == '_') c = '.';
#if defined(__clang__)
  const std::string compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const std::string compiler = "GCC " __VERSION__;
#else
  const std::string compiler = "unknown";
#endif
  return {{"libuv", uv_version_string()},
          {"http_parser", offload_detail::http_parser_version_text()},
          {"Boost", boost},
          {"compiler", compiler}};
}

std::string version_text(std::string_view program, const std::vector<Component>& components) {
  std::string out = std::string(program) + " " + project_version() + "\n";
  out += "revision " + git_revision() + "\n";
  for (const auto& c : components) out += c.name + " " + c.version + "\n";
  return out;
}

bool asks_version(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--version") == 0) return true;
  return false;
}

}  // namespace flags
