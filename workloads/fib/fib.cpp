// Naive recursive Fibonacci, kept naive: the measurements need a job whose cost grows with n
// and that no compiler can shortcut.
#include "fib.hpp"

namespace workloads {

[[gnu::noinline]] std::uint64_t fib(std::uint32_t n) {
  // An empty asm that "may change" n: the compiler cannot reason about the argument, so it can
  // neither constant-fold a call nor memoise or vectorise the recursion away.
  asm volatile("" : "+r"(n));
  return n <= 2 ? 1 : fib(n - 1) + fib(n - 2);
}

std::uint64_t fib_reference(std::uint32_t n) {
  std::uint64_t a = 1, b = 1;  // fib(1), fib(2)
  for (std::uint32_t i = 3; i <= n; ++i) {
    const std::uint64_t next = a + b;
    a = b;
    b = next;
  }
  return b;
}

}  // namespace workloads
