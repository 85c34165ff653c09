// What `--version` prints, for offload-server and offload-bench alike: the project's version
// (CMake's project(VERSION)), the source tree's git revision when the program was built, and
// the versions of the libraries the program links. The libraries both programs link are
// listed here; each program adds its own (oneTBB, GPGME), so each reports what it links.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flags {

struct Component {
  std::string name;     // "libuv"
  std::string version;  // "1.44.2"
};

// "0.1.0", from the top-level project(... VERSION ...).
std::string project_version();
// `git describe --always --dirty` of the source tree at the last build ("f6c3ec5-dirty"), or
// "unknown" where git or the .git folder was missing.
std::string git_revision();
// The libraries both programs link: libuv (the one running: uv_version_string), http_parser
// (the one running), Boost (its headers), and the compiler.
std::vector<Component> common_components();

// The --version text:
//   offload-bench 0.1.0
//   revision f6c3ec5-dirty
//   libuv 1.44.2
//   ...
// one component a line, so a script can pick a line by its first word.
std::string version_text(std::string_view program, const std::vector<Component>& components);

// Whether the arguments (after the program name) ask for --version.
bool asks_version(int argc, char** argv);

}  // namespace flags
