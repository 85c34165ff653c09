// The HTTP/1.1 front end on libuv: listens, accepts, and owns the connections and their
// timeouts. Knows nothing of what the answers are; see Handler.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "handler.hpp"
#include "request_parser.hpp"

namespace http {

struct ServerOptions {
  Limits limits;
  std::uint64_t idle_timeout_ms = 60'000;  // no request in progress
  // From a request's first byte to its last header line: slowloris protection.
  std::uint64_t header_timeout_ms = 10'000;
  // After a final response, how long to read and discard what the client still sends so that
  // closing does not reset the connection under the response (lingering close).
  std::uint64_t linger_ms = 2'000;
  // Connections held at once (0: no cap). Past it a new client is accepted and closed at
  // once, so it learns now rather than from a timeout, and the descriptors left over stay for
  // the pool's pipes and the workers.
  std::size_t max_connections = 0;
};

class Server {
 public:
  Server(uv_loop_t* loop, Handler& handler, ServerOptions options);
  ~Server();
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
  friend class Connection;
  static void on_connection(uv_stream_t* listener, int status);
  static void on_sweep(uv_timer_t* timer);
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  void accept_one();
  void sweep();
  void forget(Connection* connection);  // from the connection's close callback
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
  std::list<std::shared_ptr<Connection>> connections_;
  // One read buffer for every connection: the loop reads one socket at a time and each read
  // is copied into its connection's own buffer at once.
  char read_buffer_[64 * 1024];
};

}  // namespace http
