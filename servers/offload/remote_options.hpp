// The remote strategy's own options, and its factory with a way to say why it could not start
// (no nats-server, a broker that refuses the credentials, workers that die at start).
#pragma once

#include <memory>
#include <string>

#include "offloader.hpp"

namespace offload {

struct RemoteOptions {
  // The broker: nats://[USER:PASSWORD@ | TOKEN@]HOST:PORT, with workers started elsewhere.
  // Empty: a private nats-server on loopback and PoolConfig::workers local offload-workers,
  // started and stopped with the server.
  std::string nats_url;
  std::string token;  // the broker's token, if not in the URL
  // Times a job is published again after its worker died or fell silent holding it.
  unsigned retries = 1;
  std::string worker_program;  // empty: offload-worker beside this program
  std::string broker_program = "nats-server";
  double worker_heartbeat_s = 0.1;  // the local workers'
};

// Null, with `error` set, when it cannot start.
std::unique_ptr<Offloader> make_remote_offloader(const OffloadSetup& setup,
                                                 const RemoteOptions& options, std::string& error);

}  // namespace offload
