// Waiting for a condition in a test: poll it under a deadline, never sleep a fixed time.
#pragma once

#include <chrono>
#include <functional>

namespace testsupport {

// Polls `ready` every 20 ms until it returns true or `timeout` passes (a readiness check,
// not a sleep: it returns as soon as the condition holds). True when it held.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout);

}  // namespace testsupport
