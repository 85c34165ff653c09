// The seam between the HTTP front end and the application: the front end parses and frames,
// the handler decides what to answer, now or later.
#pragma once

#include <optional>

#include "request.hpp"
#include "response.hpp"
#include "response_slot.hpp"

namespace http {

class Handler {
 public:
  virtual ~Handler() = default;
  // Return a Response to answer now, or std::nullopt and answer later through `later`
  // (possibly before this call returns). Requests on one connection are answered in order.
  virtual std::optional<Response> handle(const Request& request, const ResponseSlot& later) = 0;
  // The front end answered on its own (malformed request, timeout, shutdown) with `status`.
  virtual void answered_by_front_end(int status) = 0;
};

}  // namespace http
