// The application: what each path answers. GET / is the heavy job (fib, offloaded), GET /hi
// the cheap answer, GET /metrics the server's own numbers.
#pragma once

#include <functional>

#include "config.hpp"
#include "handler.hpp"
#include "metrics.hpp"
#include "offloader.hpp"

namespace app {

class Router final : public http::Handler {
 public:
  // `facts` is asked for the live numbers /metrics shows.
  Router(const Config& config, offload::Offloader& offloader, Metrics& metrics,
         std::function<ServerFacts()> facts);

  std::optional<http::Response> handle(const http::Request& request,
                                       const http::ResponseSlot& later) override;
  void answered_by_front_end(int status) override;

 private:
  std::optional<http::Response> heavy(const http::Request& request,
                                      const http::ResponseSlot& later);
  void observe_parts(const offload::JobTiming& timing, std::uint64_t handed_ns);

  const Config& config_;
  offload::Offloader& offloader_;
  Metrics& metrics_;
  std::function<ServerFacts()> facts_;
};

// Parses the query of GET /: n=K with K in 1..max_n, or the default. Returns an error reason,
// or an empty string with `n` set. Other parameters are ignored.
std::string parse_fib_query(std::string_view query, unsigned max_n, unsigned& n);

// The job GET /?<query> asks for under `config`: fib (n=K) or gpg (bytes=SIZE, and corrupt=1
// when the server allows it). An error reason, or an empty string with `job` filled in.
std::string parse_job(std::string_view query, const Config& config, workloads::Job& job);

}  // namespace app
