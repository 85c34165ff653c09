// ResponseSlot: where a deferred answer goes, the one handle the application keeps on a
// connection.
#pragma once

#include <cstdint>
#include <memory>

#include "response.hpp"

namespace http {

class Connection;

// Copyable, cheap, safe to keep after the client has gone: the answer is then dropped. Use only
// on the loop thread.
class ResponseSlot {
 public:
  ResponseSlot() = default;
  ResponseSlot(std::weak_ptr<Connection> connection, std::uint64_t seq)
      : connection_(std::move(connection)), seq_(seq) {}
  // Hands the answer to request `seq` of the connection, if it is still there.
  void send(Response response) const;
  bool connected() const { return !connection_.expired(); }

 private:
  std::weak_ptr<Connection> connection_;
  std::uint64_t seq_ = 0;
};

}  // namespace http
