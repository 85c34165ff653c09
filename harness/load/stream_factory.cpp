// The only place that knows both loop kinds: a spec with a rate is an open loop.
#include "load/closed_loop.hpp"
#include "load/open_loop.hpp"

namespace bench {

std::unique_ptr<Stream> make_stream(uv_loop_t* loop, const Target& target, const StreamSpec& spec,
                                    StreamListener& listener) {
  if (spec.open_loop()) return std::make_unique<OpenLoop>(loop, target, spec, listener);
  return std::make_unique<ClosedLoop>(loop, target, spec, listener);
}

}  // namespace bench
