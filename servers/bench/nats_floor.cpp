// nats-floor: the floor under the remote strategy's round trip. A bare NATS request/reply
// through the same broker, with the same client options (SendAsap): a responder on one
// connection answers in its callback, a requester on another asks one request at a time.
// Prints the latency quantiles; harness/bench/remote.sh sets the remote strategy's round trip
// beside them.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "flag_help.hpp"
#include "flag_table.hpp"
#include "flag_units.hpp"
#include "nats_client.hpp"

namespace {

struct Options {
  std::string url = "nats://127.0.0.1:4222";
  std::string token;
  std::uint64_t requests = 2000;
  std::uint64_t bytes = 32;  // about a fib job frame
};

const std::vector<flags::Option<Options>>& table() {
  static const std::vector<flags::Option<Options>> t = {
      {"--nats", "NATS_URL", "URL", "the broker (default nats://127.0.0.1:4222)",
       [](const std::string& v, Options& o) -> std::string {
         o.url = v;
         return {};
       }},
      {"--nats-token", "NATS_TOKEN", "TOKEN", "the broker's token, if any",
       [](const std::string& v, Options& o) -> std::string {
         o.token = v;
         return {};
       }},
      {"--requests", nullptr, "N", "requests, one at a time (default 2000)",
       [](const std::string& v, Options& o) -> std::string {
         return flags::parse_u64(v, 10, 10'000'000, o.requests)
                    ? ""
                    : flags::integer_rule(10, 10'000'000);
       }},
      {"--bytes", nullptr, "N", "request and reply size in bytes (default 32)",
       [](const std::string& v, Options& o) -> std::string {
         return flags::parse_u64(v, 0, 1 << 20, o.bytes) ? "" : flags::integer_rule(0, 1 << 20);
       }},
  };
  return t;
}

void respond(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  natsConnection_Publish(nc, natsMsg_GetReply(msg), natsMsg_GetData(msg),
                         natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

double quantile(const std::vector<double>& sorted, double q) {
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const auto parsed = flags::parse(table(), std::vector<std::string>(argv + 1, argv + argc), o,
                                   [](const char* name) { return std::getenv(name); });
  if (parsed.status == flags::Status::help) {
    std::printf("usage: nats-floor [options]\n\n%s",
                flags::help_table(table(), flags::HelpLayout{2, 24, 100}).c_str());
    return 0;
  }
  if (parsed.status == flags::Status::error) {
    std::fprintf(stderr, "nats-floor: %s\n", parsed.message.c_str());
    return 2;
  }
  offload::natsc::Connection responder, requester;
  for (auto* c : {&responder, &requester}) {
    offload::natsc::ConnectOptions co;
    co.url = o.url;
    co.token = o.token;
    co.name = "nats-floor";
    if (std::string err = c->connect(co); !err.empty()) {
      std::fprintf(stderr, "nats-floor: %s\n", err.c_str());
      return 1;
    }
  }
  const std::string subject = "offload.floor." + std::to_string(getpid());
  natsSubscription* sub = nullptr;
  if (natsConnection_Subscribe(&sub, responder.get(), subject.c_str(), respond, nullptr) !=
          NATS_OK ||
      natsConnection_FlushTimeout(responder.get(), 2000) != NATS_OK) {
    std::fprintf(stderr, "nats-floor: cannot subscribe\n");
    return 1;
  }
  const std::string body(o.bytes, 'x');
  std::vector<double> ms;
  ms.reserve(o.requests);
  const std::uint64_t warmup = o.requests / 10;
  for (std::uint64_t i = 0; i < o.requests + warmup; ++i) {
    natsMsg* reply = nullptr;
    const auto t0 = std::chrono::steady_clock::now();
    const natsStatus s = natsConnection_Request(&reply, requester.get(), subject.c_str(),
                                                body.data(), static_cast<int>(body.size()), 2000);
    const auto t1 = std::chrono::steady_clock::now();
    natsMsg_Destroy(reply);
    if (s != NATS_OK) {
      std::fprintf(stderr, "nats-floor: request: %s\n", offload::natsc::describe(s).c_str());
      return 1;
    }
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  natsSubscription_Destroy(sub);
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  std::printf("nats request/reply: n=%zu p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_ms=%.3f\n",
              ms.size(), quantile(ms, 0.5), quantile(ms, 0.9), quantile(ms, 0.99),
              sum / static_cast<double>(ms.size()));
  return 0;
}
