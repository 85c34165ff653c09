// One HTTP/1.1 keep-alive client connection on libuv: connect, send one request, parse its
// response with http_parser, repeat. At most one request is in flight (no pipelining: a
// pipelined client would measure queueing in its own socket, not the server's answer time).
// The connection reports to its owner through ConnectionEvents; the owner may destroy it
// inside any of those calls.
#pragma once

#include <http_parser.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <string>

namespace bench {

enum class Failure {
  connect,  // the connection could not be opened (refused, unreachable, ...)
  reset,    // reset, broken pipe, or closed by the server with a request in flight
  parse,    // a response that is not HTTP
  idle_eof  // the server closed a connection with nothing in flight (keep-alive timeout)
};

class Connection;

class ConnectionEvents {
 public:
  virtual void on_connected(Connection& c) = 0;
  // A whole response. `c.reusable()` says whether another request may follow on it.
  virtual void on_response(Connection& c, int status) = 0;
  // The connection is dead; `uv_status` is libuv's error code (0 for parse errors).
  virtual void on_failure(Connection& c, Failure failure, int uv_status) = 0;

 protected:
  ~ConnectionEvents() = default;
};

class Connection {
 public:
  // With `keep_body` the response body is kept (for /metrics).
  Connection(uv_loop_t* loop, ConnectionEvents& events, bool keep_body = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting; a non-zero libuv error means it failed at once (no event follows).
  int open(const sockaddr* address);
  // Writes one request; `bytes` must stay alive until the response. Returns 0, or a libuv
  // error when the socket is already broken (no event is raised for that).
  int send(const std::string& bytes);

  bool connected() const { return connected_; }
  bool busy() const { return in_flight_; }
  bool reusable() const { return reusable_; }
  const std::string& body() const { return body_; }

  // The owner's bookkeeping for the request in flight.
  std::uint64_t intended_ns = 0;
  std::uint64_t sent_ns = 0;
  std::uint64_t opened_ns = 0;
  std::size_t tag = 0;  // e.g. which closed-loop client this connection serves
  bool counted = true;  // whether the answer still belongs to the measurement

 private:
  struct Box;  // the uv handle and connect request, freed in the close callback
  static void on_connect(uv_connect_t* req, int status);
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, std::size_t len);
  static int on_message_complete(http_parser* p);

  void connected(int status);
  void received(const char* data, std::size_t len);
  void ended(int status);

  Box* box_;
  ConnectionEvents& events_;
  http_parser parser_{};
  std::string body_;
  int status_ = 0;
  bool keep_body_;
  bool connected_ = false;
  bool in_flight_ = false;
  bool complete_ = false;
  bool reusable_ = true;
};

}  // namespace bench
