// Which server `offload-bench run` measured, as the server says it in /metrics before the run:
// offload-server's offload_info line (strategy, workload, workers, job size) and its
// offload_knobs line (the knobs in force, what it refused). These fill the key and knob
// columns of a run's results folder and the "server" object of its JSON. Any other server
// (no offload_info, or no /metrics at all) is "external" and those columns stay empty:
// nothing is guessed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "load/stream_spec.hpp"
#include "sample/prometheus.hpp"

namespace bench {

struct RunServer {
  bool identified = false;  // an offload_info line was read
  std::string config = "external";
  std::string strategy;  // "" when not identified
  std::string workload;
  std::optional<std::uint64_t> fib;            // the fib workload's job size
  std::optional<std::uint64_t> payload_bytes;  // the gpg workload's
  std::string load_param;                      // fib | payload_bytes | "" (another workload)
  std::optional<std::uint64_t> load_value;
  std::optional<std::uint64_t> workers;
  std::vector<std::string> knobs;           // one per knob_specs() column; "" where not reported
  std::string knobs_refused;                // the server's own words
  std::map<std::string, std::string> info;  // offload_info's labels as given
};

// `scrape`: the server's /metrics before the run, or nullptr when it had none. The job size is
// the heavy stream's own where its path asks for one (/?n=25, /?bytes=4k), else the server's
// default, so the label names the jobs that ran: thread-fib25-w2.
RunServer identify_server(const Scrape* scrape, const std::vector<StreamSpec>& specs);

// The server as a JSON object (null when not identified), for --json and meta.json.
std::string run_server_json(const RunServer& server);
// Its knobs as meta.json's configs[].knobs: numbers, strings, null where empty.
std::string run_knobs_json(const RunServer& server);

}  // namespace bench
