// libFuzzer target for the HTTP request path without the network: bytes -> RequestParser (fed
// in pieces, as reads would arrive) -> Router (with the inline strategy and small jobs) ->
// serialised responses. Anything that crashes, leaks or trips a sanitizer here is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config.hpp"
#include "metrics.hpp"
#include "offloader.hpp"
#include "request_parser.hpp"
#include "response.hpp"
#include "router.hpp"

namespace {

struct World {
  World() {
    config.max_n = 12;  // keep each input fast: fib(12) is microseconds
    config.fib = 10;
    offloader = offload::make_inline_offloader();
    router.emplace(config, *offloader, metrics, [this] {
      app::ServerFacts facts;
      facts.strategy = "inline";
      facts.workload = "fib";
      return facts;
    });
  }
  app::Config config;
  app::Metrics metrics;
  std::unique_ptr<offload::Offloader> offloader;
  std::optional<app::Router> router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (size == 0) return 0;
  // The first byte picks the read size, so split points are fuzzed too.
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);

  http::RequestParser parser;
  std::string buffer, out;
  std::size_t fed = 0;
  for (;;) {
    const auto step = parser.parse(buffer);
    buffer.erase(0, parser.consumed());
    if (step == http::RequestParser::Step::request) {
      const http::Request& request = parser.request();
      http::ResponseSlot nowhere;  // deferred answers go to no connection: dropped
      if (auto answer = world.router->handle(request, nowhere))
        http::append_response(out, *answer, request.method == http::Method::head,
                              request.keep_alive, request.version_minor);
      if (!request.keep_alive) break;
      continue;
    }
    if (step == http::RequestParser::Step::error) {
      http::append_response(
          out, http::error_response(parser.error().status, parser.error().reason, true), false,
          false, 1);
      break;
    }
    if (fed == input.size()) break;
    const std::size_t n = std::min(chunk, input.size() - fed);
    buffer.append(input, fed, n);
    fed += n;
  }
  return 0;
}
