// The seed's CPU load: the naive, exponential Fibonacci recursion.
#pragma once

#include <cstdint>

namespace workloads {

// fib(1) = fib(2) = 1. Exponential on purpose: fib(n) costs about fib(n) calls.
std::uint64_t fib(std::uint32_t n);

// The same value in linear time: a reference for tests and for checking answers.
std::uint64_t fib_reference(std::uint32_t n);

// The largest n whose fib(n) fits in 64 bits.
inline constexpr std::uint32_t kFibMaxFits = 93;

}  // namespace workloads
