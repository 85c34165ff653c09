// The application: what each path answers. GET / is the heavy job (the workload's, offloaded),
// GET /hi the cheap answer, GET /metrics the server's own numbers.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "handler.hpp"
#include "metrics.hpp"
#include "offloader.hpp"
#include "workload.hpp"

namespace app {

// What job the loop thread is inside submit() with, for another thread: the shutdown watchdog
// names the job it abandons when an inline job holds the loop past the drain timeout.
class LoopJobNote {
 public:
  void set(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    text_ = std::move(text);
  }
  std::string get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

class Router final : public http::Handler {
 public:
  // `workload` turns GET /'s query into a job; `facts` is asked for the live numbers /metrics
  // shows; `loop_job`, when not null, is told each job while submit() runs it (a strategy that
  // runs jobs on the loop: the others return at once, and pay nothing).
  Router(const workloads::Workload& workload, offload::Offloader& offloader, Metrics& metrics,
         std::function<ServerFacts()> facts, LoopJobNote* loop_job = nullptr);

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
  LoopJobNote* loop_job_;
};

}  // namespace app
