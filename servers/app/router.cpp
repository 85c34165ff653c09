// Routing and the mapping from job outcomes to HTTP statuses: a failed job is a 500, a lost
// worker a 502, a full queue or a stopping server a 503 with Retry-After.
#include "router.hpp"

#include <uv.h>

#include <optional>

namespace app {

namespace {

http::Response text(std::string body) {
  http::Response r;
  r.body = std::move(body);
  return r;
}

http::Response answer_for(const offload::JobOutcome& outcome) {
  switch (outcome.status) {
    case offload::JobStatus::done:
      return outcome.result.ok ? text(outcome.result.text)
                               : http::error_response(500, outcome.result.text);
    case offload::JobStatus::lost:
      return http::error_response(502, outcome.result.text);
    case offload::JobStatus::timed_out:
      return http::error_response(504, outcome.result.text);
    case offload::JobStatus::cancelled:
    default: {
      http::Response r = http::error_response(503, outcome.result.text, true);
      r.retry_after_s = 1;
      return r;
    }
  }
}

}  // namespace

Router::Router(const workloads::Workload& workload, offload::Offloader& offloader, Metrics& metrics,
               std::function<ServerFacts()> facts, LoopJobNote* loop_job)
    : workload_(workload),
      offloader_(offloader),
      metrics_(metrics),
      facts_(std::move(facts)),
      loop_job_(loop_job) {}

void Router::answered_by_front_end(int status) {
  metrics_.count_request(Endpoint::front_end, status);
}

std::uint64_t Router::answered(Endpoint endpoint, int status, std::uint64_t parsed_ns) {
  metrics_.count_request(endpoint, status);
  const std::uint64_t now = uv_hrtime();
  metrics_.observe_request(endpoint, static_cast<double>(now - parsed_ns) / 1e9);
  return now;
}

std::optional<http::Response> Router::handle(const http::Request& request,
                                             const http::ResponseSlot& later) {
  const std::uint64_t parsed_ns = uv_hrtime();
  Endpoint endpoint = Endpoint::other;
  if (request.path == "/")
    endpoint = Endpoint::root;
  else if (request.path == "/hi")
    endpoint = Endpoint::hi;
  else if (request.path == "/metrics")
    endpoint = Endpoint::metrics;

  if (request.method == http::Method::other) {
    http::Response r = http::error_response(
        405, "method " + request.method_name + " not allowed; use GET or HEAD");
    r.allow = "GET, HEAD";
    answered(endpoint, 405, parsed_ns);
    return r;
  }
  std::optional<http::Response> answer;
  switch (endpoint) {
    case Endpoint::root:
      return heavy(request, later, parsed_ns);  // counted when answered
    case Endpoint::hi:
      answer = text("easy!");
      break;
    case Endpoint::metrics:
      answer = text(metrics_.render(facts_()));
      answer->content_type = "text/plain; version=0.0.4";
      break;
    default:
      answer = http::error_response(404, "no such path: " + request.path);
      break;
  }
  answered(endpoint, answer->status, parsed_ns);
  return answer;
}

void Router::observe_parts(const offload::JobTiming& t, std::uint64_t handed_ns) {
  const auto seconds = [](std::uint64_t from, std::uint64_t to) {
    return to > from ? static_cast<double>(to - from) / 1e9 : 0.0;
  };
  metrics_.observe_job_parts(seconds(t.accepted_ns, t.started_ns),
                             seconds(t.started_ns, t.finished_ns),
                             seconds(t.finished_ns, handed_ns));
}

std::optional<http::Response> Router::heavy(const http::Request& request,
                                            const http::ResponseSlot& later,
                                            std::uint64_t parsed_ns) {
  workloads::Job job;
  if (std::string err = workload_.parse(request.query, &job); !err.empty()) {
    answered(Endpoint::root, 400, parsed_ns);
    return http::error_response(400, err);
  }
  const std::uint64_t submitted_ns = uv_hrtime();
  if (loop_job_ != nullptr) loop_job_->set(job->describe());
  const auto admission = offloader_.submit(
      std::move(job), [this, later, submitted_ns, parsed_ns](offload::JobOutcome outcome) {
        const bool done = outcome.status == offload::JobStatus::done;
        if (done)
          metrics_.observe_job(static_cast<double>(uv_hrtime() - submitted_ns) / 1e9,
                               static_cast<double>(outcome.result.run_us) / 1e6,
                               static_cast<double>(outcome.result.engine_us) / 1e6,
                               static_cast<double>(outcome.result.loop_us) / 1e6);
        const offload::JobTiming timing = outcome.timing;
        http::Response r = answer_for(outcome);
        const int status = r.status;
        // Hand-back ends when send() returns: the answer is in the connection's output and
        // its write has been tried (usually it went straight to the socket; behind a write
        // in flight, or a pipelined answer not yet due, it waits there).
        later.send(std::move(r));
        const std::uint64_t handed_ns = answered(Endpoint::root, status, parsed_ns);
        if (done && timing.started_ns != 0) observe_parts(timing, handed_ns);
      });
  if (loop_job_ != nullptr) loop_job_->set({});
  if (admission == offload::Admission::full) {
    metrics_.count_rejected_job();
    answered(Endpoint::root, 503, parsed_ns);
    http::Response r = http::error_response(503, "too many jobs waiting; try again later");
    r.retry_after_s = 1;
    return r;
  }
  return std::nullopt;
}

}  // namespace app
