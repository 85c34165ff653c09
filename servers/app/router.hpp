// The application: what each path answers. GET / is the heavy job (the workload's, offloaded),
// GET /hi the cheap answer, GET /metrics the server's own numbers.
#pragma once

#include <functional>

#include "handler.hpp"
#include "metrics.hpp"
#include "offloader.hpp"
#include "workload.hpp"

namespace app {

class Router final : public http::Handler {
 public:
  // `workload` turns GET /'s query into a job; `facts` is asked for the live numbers /metrics
  // shows.
  Router(const workloads::Workload& workload, offload::Offloader& offloader, Metrics& metrics,
         std::function<ServerFacts()> facts);

  std::optional<http::Response> handle(const http::Request& request,
                                       const http::ResponseSlot& later) override;
  void answered_by_front_end(int status) override;

 private:
  std::optional<http::Response> heavy(const http::Request& request, const http::ResponseSlot& later,
                                      std::uint64_t parsed_ns);
  void observe_parts(const offload::JobTiming& timing, std::uint64_t handed_ns);
  // Counts an answer and its time since the request was parsed; returns the time now.
  std::uint64_t answered(Endpoint endpoint, int status, std::uint64_t parsed_ns);

  const workloads::Workload& workload_;
  offload::Offloader& offloader_;
  Metrics& metrics_;
  std::function<ServerFacts()> facts_;
};

}  // namespace app
