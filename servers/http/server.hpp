// The HTTP/1.1 front end on libuv: listens, accepts, and owns the connections and their
// timeouts. Knows nothing of what the answers are; see Handler.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "connection.hpp"
#include "handler.hpp"
#include "server_options.hpp"

namespace http {

class Server final : private ConnectionOwner {
 public:
  Server(uv_loop_t* loop, Handler& handler, ServerOptions options);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (port 0: any free port) and starts accepting. Returns an empty string, or
  // a one-line error ("address already in use").
  std::string listen(const std::string& host, int port);
  int port() const { return port_; }
  std::size_t connection_count() const { return connections_.size(); }
  // Clients closed at once because --max-conns connections were open.
  std::uint64_t refused_count() const { return refused_; }

  // Stops accepting. Idle connections close now; busy ones get their answer with
  // "Connection: close". `done` runs once no connection is left.
  void drain(std::function<void()> done);
  // Ends the drain early: requests still waiting get `answer`, then every connection closes.
  void close_all(const Response& answer);

 private:
  // What the connections see of their server (ConnectionOwner).
  uv_loop_t* loop() const override { return loop_; }
  Handler& handler() const override { return handler_; }
  const ServerOptions& options() const override { return options_; }
  uv_buf_t read_buffer() override { return uv_buf_init(read_buffer_, sizeof read_buffer_); }
  void closed(Connections::iterator connection) override;

  static void on_connection(uv_stream_t* listener, int status);
  static void on_sweep(uv_timer_t* timer);
  void accept_one();
  void sweep();
  void maybe_drained();

  uv_loop_t* loop_;
  Handler& handler_;
  ServerOptions options_;
  uv_tcp_t* listener_ = nullptr;  // owned; freed in its close callback
  uv_timer_t* sweep_timer_ = nullptr;
  int port_ = 0;
  std::uint64_t refused_ = 0;
  bool draining_ = false;
  std::function<void()> drained_;
  Connections connections_;
  // One read buffer for every connection: the loop reads one socket at a time and each read
  // is copied into its connection's own buffer at once.
  char read_buffer_[64 * 1024];
};

}  // namespace http
