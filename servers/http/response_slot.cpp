// A deferred answer's way back to its connection.
#include "response_slot.hpp"

#include "connection.hpp"

namespace http {

void ResponseSlot::send(Response response) const {
  if (auto c = connection_.lock()) c->complete(seq_, std::move(response));
}

}  // namespace http
