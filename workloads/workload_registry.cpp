// The table of workloads. Adding one: a folder workloads/<name>/ whose library defines
// `std::unique_ptr<Workload> make_<name>_workload()`, its name in workloads/CMakeLists.txt, and
// one line here.
#include "workload_registry.hpp"

namespace workloads {

// In this order in --help; a new workload is a line above the last one (which only ends the
// list).
// clang-format off
#define OFFLOAD_WORKLOADS(X) \
  X(fib)                     \
  X(gpg)                     \
  /* end of the list */
// clang-format on

#define OFFLOAD_DECLARE(name) std::unique_ptr<Workload> make_##name##_workload();
OFFLOAD_WORKLOADS(OFFLOAD_DECLARE)
#undef OFFLOAD_DECLARE

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Workload> (*make)();
};

#define OFFLOAD_ENTRY(name) {#name, make_##name##_workload},
constexpr Entry kWorkloads[] = {OFFLOAD_WORKLOADS(OFFLOAD_ENTRY)};
#undef OFFLOAD_ENTRY

}  // namespace

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& w : kWorkloads) names.emplace_back(w.name);
  return names;
}

std::unique_ptr<Workload> make_workload(std::string_view name) {
  for (const auto& w : kWorkloads)
    if (name == w.name) return w.make();
  return nullptr;
}

std::string workload_choices() {
  const auto names = workload_names();
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

std::string workload_list(std::string_view separator) {
  std::string out;
  for (const auto& w : kWorkloads) out += (out.empty() ? "" : std::string(separator)) + w.name;
  return out;
}

}  // namespace workloads
