// The fib workload behind workloads::Workload: GET / computes fib(--fib), GET /?n=K fib(K).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "workload.hpp"

namespace workloads {

std::unique_ptr<Workload> make_fib_workload();

// Parses the query of GET /: n=K with K in 1..max_n, or the default. Returns an error reason,
// or an empty string with `n` set. Other parameters are ignored.
std::string parse_fib_query(std::string_view query, unsigned max_n, unsigned& n);

}  // namespace workloads
