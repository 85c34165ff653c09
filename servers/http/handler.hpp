// The seam between the HTTP front end and the application: the front end parses and frames,
// the handler decides what to answer, now or later.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "request.hpp"
#include "response.hpp"

namespace http {

class Connection;

// Where a deferred answer goes. Copyable, cheap, safe to keep after the client has gone: the
// answer is then dropped. Use only on the loop thread.
class ResponseSlot {
 public:
  ResponseSlot() = default;
  ResponseSlot(std::weak_ptr<Connection> connection, std::uint64_t seq)
      : connection_(std::move(connection)), seq_(seq) {}
  void send(Response response) const;
  bool connected() const { return !connection_.expired(); }

 private:
  std::weak_ptr<Connection> connection_;
  std::uint64_t seq_ = 0;
};

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
