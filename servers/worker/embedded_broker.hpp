// A private nats-server for one server (the remote strategy without --nats) or one test: bound
// to one address, on a port no one else has, accepting only clients that present its random
// token. Its configuration (with the token: never on a command line, where `ps` shows it to
// every user) and its log live in a 0700 directory of its own, removed at stop().
#pragma once

#include <sys/types.h>

#include <string>

namespace offload::hosting {

class EmbeddedBroker {
 public:
  struct Options {
    std::string program = "nats-server";
    std::string address = "127.0.0.1";
    // 0: any free port, chosen by nats-server itself as it binds (its "port: -1"), so no other
    // process can take it between a choice and the bind.
    int port = 0;
    std::string token;  // empty: a random one
  };

  EmbeddedBroker() = default;
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;
  ~EmbeddedBroker() { stop(); }

  // Starts it and waits (up to 10 s) until it listens. "" or the reason, with its log's tail.
  std::string start(Options options);
  // SIGTERM, then SIGKILL after a second; reaped; its directory removed. Idempotent.
  void stop();
  // SIGKILL and reap now (a server abandoning its shutdown); the directory is removed too.
  void kill_now();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  std::string url() const;  // nats://ADDRESS:PORT, without the token
  std::string log_tail() const;

 private:
  void remove_directory();

  pid_t pid_ = -1;
  int port_ = 0;
  std::string address_;
  std::string token_;
  std::string dir_;
};

// 32 hex digits from the kernel's random source.
std::string random_token();

}  // namespace offload::hosting
