// Routing and the mapping from job outcomes to HTTP statuses: a failed job is a 500, a lost
// worker a 502, a full queue or a stopping server a 503 with Retry-After.
#include "router.hpp"

#include <uv.h>

#include <charconv>
#include <optional>

#include "gpg_size.hpp"

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

namespace {

// The value of `name` in the query: nullopt if absent, "" if given without a value. Sets
// `repeated` when it appears more than once.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name,
                                            bool& repeated) {
  std::optional<std::string_view> found;
  repeated = false;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = param.find('=');
    if (param.substr(0, eq) != name) continue;
    if (found) repeated = true;
    found = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
  }
  return found;
}

}  // namespace

std::string parse_fib_query(std::string_view query, unsigned max_n, unsigned& n) {
  bool repeated = false;
  const auto value = query_param(query, "n", repeated);
  if (repeated) return "parameter n given more than once";
  if (!value) return {};
  unsigned v = 0;
  const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
  if (value->empty() || value->front() == '+' || ec != std::errc() ||
      ptr != value->data() + value->size() || v < 1 || v > max_n)
    return "n must be an integer from 1 to " + std::to_string(max_n);
  n = v;
  return {};
}

std::string parse_job(std::string_view query, const Config& config, workloads::Job& job) {
  if (config.workload != "gpg") {
    job.kind = workloads::Kind::fib;
    unsigned n = config.fib;
    std::string err = parse_fib_query(query, config.max_n, n);
    job.n = n;
    return err;
  }
  job.kind = workloads::Kind::gpg;
  job.bytes = static_cast<std::uint32_t>(config.payload_bytes);
  bool repeated = false;
  if (const auto bytes = query_param(query, "bytes", repeated)) {
    const std::string range = "bytes must be a size from 1 to " +
                              workloads::gpg::format_payload_size(config.max_payload_bytes) +
                              " (e.g. 4k, 64k, 1m)";
    if (repeated) return "parameter bytes given more than once";
    std::string err;
    const auto size = workloads::gpg::parse_payload_size(*bytes, &err);
    if (!size || *size > config.max_payload_bytes) return range;
    job.bytes = static_cast<std::uint32_t>(*size);
  }
  if (const auto corrupt = query_param(query, "corrupt", repeated)) {
    if (!config.allow_corrupt)
      return "corrupt= is for testing; the server was not started with --allow-corrupt 1";
    job.corrupt = *corrupt == "1";
  }
  return {};
}

Router::Router(const Config& config, offload::Offloader& offloader, Metrics& metrics,
               std::function<ServerFacts()> facts)
    : config_(config), offloader_(offloader), metrics_(metrics), facts_(std::move(facts)) {}

void Router::answered_by_front_end(int status) {
  metrics_.count_request(Endpoint::front_end, status);
}

std::optional<http::Response> Router::handle(const http::Request& request,
                                             const http::ResponseSlot& later) {
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
    metrics_.count_request(endpoint, 405);
    return r;
  }
  std::optional<http::Response> answer;
  switch (endpoint) {
    case Endpoint::root:
      return heavy(request, later);  // counted when answered
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
  metrics_.count_request(endpoint, answer->status);
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
                                            const http::ResponseSlot& later) {
  workloads::Job job;
  if (std::string err = parse_job(request.query, config_, job); !err.empty()) {
    metrics_.count_request(Endpoint::root, 400);
    return http::error_response(400, err);
  }
  const std::uint64_t submitted_ns = uv_hrtime();
  const auto admission =
      offloader_.submit(job, [this, later, submitted_ns](offload::JobOutcome outcome) {
        const bool done = outcome.status == offload::JobStatus::done;
        if (done)
          metrics_.observe_job(static_cast<double>(uv_hrtime() - submitted_ns) / 1e9,
                               static_cast<double>(outcome.result.run_us) / 1e6,
                               static_cast<double>(outcome.result.engine_us) / 1e6);
        const offload::JobTiming timing = outcome.timing;
        http::Response r = answer_for(outcome);
        metrics_.count_request(Endpoint::root, r.status);
        // Hand-back ends when send() returns: the answer is in the connection's output and
        // its write has been tried (usually it went straight to the socket; behind a write
        // in flight, or a pipelined answer not yet due, it waits there).
        later.send(std::move(r));
        if (done && timing.started_ns != 0) observe_parts(timing, uv_hrtime());
      });
  if (admission == offload::Admission::full) {
    metrics_.count_rejected_job();
    metrics_.count_request(Endpoint::root, 503);
    http::Response r = http::error_response(503, "too many jobs waiting; try again later");
    r.retry_after_s = 1;
    return r;
  }
  return std::nullopt;
}

}  // namespace app
