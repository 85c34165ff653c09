// libFuzzer target for the HTTP request path without the network: bytes -> RequestParser (fed
// in several reads, as a connection receives them) -> Router (with the inline strategy and
// small jobs) -> serialised responses. Anything that crashes, leaks or trips a sanitizer here
// is a finding.
//
// Input layout: byte 0 says how the rest is read. Its low 4 bits are a count k of read sizes
// that follow (1 + byte each, 1..256, used in turn until the stream is consumed; k = 0: one
// read). Bit 7 picks the buffer: set, every read lands in a freshly allocated buffer and the
// previous one is wiped and freed (a view kept across reads then reads freed memory, which
// AddressSanitizer reports); clear, one std::string is appended to and compacted as
// Connection does. The rest is the byte stream of one connection.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics.hpp"
#include "request_parser.hpp"
#include "response.hpp"
#include "router.hpp"
#include "strategy_registry.hpp"
#include "workload_registry.hpp"

namespace {

struct World {
  World() : workload(workloads::make_workload("fib")) {
    workload->configure({{"max-n", "12"}, {"fib", "10"}});  // fib(12) is microseconds
    uv_loop_init(&loop);  // never run: the inline strategy only reads its clocks
    offloader = offload::find_strategy("inline")->make({&loop, workload.get(), {}, {}});
    router.emplace(*workload, *offloader, metrics, [] {
      app::ServerFacts facts;
      facts.strategy = "inline";
      facts.workload = "fib";
      return facts;
    });
  }
  uv_loop_t loop{};
  std::unique_ptr<workloads::Workload> workload;
  app::Metrics metrics;
  std::unique_ptr<offload::Offloader> offloader;
  std::optional<app::Router> router;
};

// The unconsumed bytes of one connection, kept either way byte 0 asks for.
class InputBuffer {
 public:
  explicit InputBuffer(bool fresh_each_read) : fresh_(fresh_each_read) {}
  ~InputBuffer() { release(); }
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  void append(std::string_view read) {
    if (!fresh_) {
      // As Connection: append, drop consumed bytes once they are half the buffer.
      if (off_ > 0 && off_ >= in_.size() / 2) {
        in_.erase(0, off_);
        off_ = 0;
      }
      in_.append(read);
      return;
    }
    const std::string_view kept = pending();
    auto block = std::make_unique<char[]>(kept.size() + read.size() + 1);
    if (!kept.empty()) std::memcpy(block.get(), kept.data(), kept.size());
    std::memcpy(block.get() + kept.size(), read.data(), read.size());
    release();
    block_ = std::move(block);
    size_ = kept.size() + read.size();
    off_ = 0;
  }
  std::string_view pending() const {
    return fresh_ ? std::string_view(block_.get() + off_, size_ - off_)
                  : std::string_view(in_.data() + off_, in_.size() - off_);
  }
  void consume(std::size_t n) { off_ += n; }

 private:
  void release() {
    if (block_) std::memset(block_.get(), 'H', size_);
    block_.reset();
    size_ = 0;
  }
  bool fresh_;
  std::string in_;
  std::unique_ptr<char[]> block_;
  std::size_t size_ = 0;
  std::size_t off_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (size == 0) return 0;
  const std::size_t k = std::min<std::size_t>(data[0] & 0x0f, size - 1);
  const bool fresh = (data[0] & 0x80) != 0;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < k; ++i) sizes.push_back(1 + data[1 + i]);
  const std::string_view input(reinterpret_cast<const char*>(data + 1 + k), size - 1 - k);

  http::RequestParser parser;
  InputBuffer buffer(fresh);
  std::string out;
  std::size_t fed = 0, read_index = 0;
  while (fed < input.size()) {
    const std::size_t n = sizes.empty()
                              ? input.size() - fed
                              : std::min(sizes[read_index++ % sizes.size()], input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    for (;;) {
      const auto step = parser.parse(buffer.pending());
      buffer.consume(parser.consumed());
      if (step == http::RequestParser::Step::need_more) break;
      if (step == http::RequestParser::Step::error) {
        http::append_response(
            out, http::error_response(parser.error().status, parser.error().reason, true), false,
            false, 1);
        return 0;  // the connection ends after an error
      }
      const http::Request& request = parser.request();
      http::ResponseSlot nowhere;  // deferred answers go to no connection: dropped
      if (auto answer = world.router->handle(request, nowhere))
        http::append_response(out, *answer, request.method == http::Method::head,
                              request.keep_alive, request.version_minor);
      if (!request.keep_alive) return 0;
      if (out.size() > (1u << 20)) out.clear();  // bound what a long input can pile up
    }
  }
  return 0;
}
