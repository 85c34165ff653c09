// The workloads the server knows, listed once (workload_registry.cpp): --workload's choices,
// --help, the worker process and the tests read them from here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workload.hpp"

namespace workloads {

// In the table's order: "fib", "gpg".
std::vector<std::string> workload_names();

// A fresh, unconfigured workload; null when no workload has that name.
std::unique_ptr<Workload> make_workload(std::string_view name);

// The names for a message: "fib or gpg" ("a, b or c" for three).
std::string workload_choices();
// The names joined by `separator`: "fib | gpg".
std::string workload_list(std::string_view separator);

}  // namespace workloads
