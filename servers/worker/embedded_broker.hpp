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
    // 0: a free port outside the kernel's ephemeral range (so that after a crash the broker
    // can bind it again: no client connection holds it), another one if it is taken.
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
  // Reaps the broker if it has exited by itself (crashed, killed), without waiting: true once
  // per such exit, with its wait status. Its directory stays, for restart().
  bool reap_if_exited(int& status);
  // After such an exit: the broker again, on the same address, port and token, so that its
  // clients reconnect to the URL they know. Does not wait for it to listen (a client's
  // reconnection finds it); a port taken meanwhile makes it exit again, seen by
  // reap_if_exited(). "" or the reason it could not be spawned.
  std::string restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  std::string url() const;  // nats://ADDRESS:PORT, without the token
  std::string log_tail() const;

 private:
  void remove_directory();
  std::string write_config(int port) const;  // port 0: nats-server picks one ("-1")
  std::string await_listening();
  std::string spawn_server();

  pid_t pid_ = -1;
  int port_ = 0;
  std::string address_;
  std::string program_;
  std::string token_;
  std::string dir_;
};

// 32 hex digits from the kernel's random source.
std::string random_token();

}  // namespace offload::hosting
