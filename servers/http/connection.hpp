// One client connection: reads bytes, parses requests one at a time, answers them in order,
// and closes politely. Owned by a ConnectionOwner (the Server), which it reaches only through
// that interface; reached from deferred answers through ResponseSlot.
#pragma once

#include <uv.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "handler.hpp"
#include "request_parser.hpp"
#include "server_options.hpp"

namespace http {

class Connection;
using Connections = std::list<std::shared_ptr<Connection>>;

// What a connection needs of whoever holds it: the loop, the handler, the limits and timeouts,
// a read buffer, and to be told when it has closed.
class ConnectionOwner {
 public:
  virtual uv_loop_t* loop() const = 0;
  virtual Handler& handler() const = 0;
  virtual const ServerOptions& options() const = 0;
  // Where the next read goes; its bytes are copied out before the next read is asked for.
  virtual uv_buf_t read_buffer() = 0;
  // From the connection's close callback: the owner drops its entry (and with it, usually,
  // the last reference to the connection).
  virtual void closed(Connections::iterator connection) = 0;

 protected:
  virtual ~ConnectionOwner() = default;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(ConnectionOwner& owner);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending client of `listener`; `self` is this connection's entry in the
  // owner's list, handed back through ConnectionOwner::closed once the handle has closed.
  void start(uv_stream_t* listener, Connections::iterator self);

  // A deferred answer for request `seq` arrives (ResponseSlot::send).
  void complete(std::uint64_t seq, Response response);

  // Server-driven events.
  void on_tick(std::uint64_t now_ms);  // timeouts
  void drain();                        // shutting down: finish the request in hand, then close
  void close_now(const Response& answer_if_waiting);

  bool busy() const { return awaiting_ != 0 || !out_.empty() || writing_; }

 private:
  struct WriteRequest;
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_close(uv_handle_t* handle);

  void set_reading(bool on);
  bool has_unread_bytes();
  void received(const char* data, std::size_t len);
  void peer_closed();
  void pump();
  void respond(const Response& response);
  void reject(int status, std::string reason);
  void flush();
  void written(int status);
  void begin_linger();
  void close();

  ConnectionOwner& owner_;
  const ServerOptions& options_;
  uv_tcp_t tcp_{};
  Connections::iterator self_;
  RequestParser parser_;

  std::string in_;  // received, not yet parsed (from in_off_)
  std::size_t in_off_ = 0;
  std::string out_;       // answers not yet handed to the kernel
  bool writing_ = false;  // one uv_write at a time
  bool reading_ = false;

  std::uint64_t seq_ = 0;       // requests handed to the handler so far
  std::uint64_t awaiting_ = 0;  // seq of the request whose answer is pending, 0 if none
  bool head_only_ = false;      // facts of the request in hand, for its answer
  bool keep_alive_ = true;
  int minor_version_ = 1;

  bool in_pump_ = false;
  bool pump_again_ = false;
  bool draining_ = false;  // answer what is in hand, accept no more requests
  bool close_after_flush_ = false;
  bool peer_closed_ = false;  // EOF seen
  bool lingering_ = false;
  bool forced_ = false;  // shutdown's deadline passed: closed by linger_until_ms_ at the latest
  bool closing_ = false;
  std::uint64_t last_activity_ms_ = 0;
  std::uint64_t head_started_ms_ = 0;  // 0: no partial request
  std::uint64_t linger_until_ms_ = 0;
};

}  // namespace http
