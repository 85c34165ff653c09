// A NATS connection as the remote strategy and offload-worker use it (nats.c 3.4): options
// that keep a request's latency low (publishes written at once, not batched for the flusher
// thread), reconnection forever with an exponential back-off, credentials from a token or the
// URL, and connection events handed to the owner. Also the small things both sides need:
// a message with headers, a header's value, a status as text, a URL without its secret.
//
// Threads: nats.c calls `on_event` from its own callback thread, never from the caller's. The
// object must outlive every callback: close() waits for the `closed` event, the library's last.
#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace offload::natsc {

enum class Event { connected, disconnected, reconnected, closed };

struct ConnectOptions {
  std::string url;    // nats://[user:password@ | token@]host:port
  std::string token;  // empty: none, or the one in the URL
  std::string name;   // how the broker lists this client
  // Back-off between reconnection attempts: first, doubled each time, capped (+ up to 20%
  // jitter, so a fleet of workers does not reconnect in step).
  std::int64_t reconnect_first_ms = 50;
  std::int64_t reconnect_max_ms = 2000;
  // Keep trying when no broker answers at start (connect() returns "" at once); else, and
  // always for refused credentials, connect() fails with the reason.
  bool retry_at_start = false;
  // Any nats.c thread; Event::connected only after a start that had to retry.
  std::function<void(Event)> on_event;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  // Blocks until connected or failed (at most a few seconds: the connect timeout). "" or a
  // one-line reason (authorization, no server, bad URL).
  std::string connect(ConnectOptions options);
  natsConnection* get() const { return nc_; }
  bool connected() const;
  // Closes the connection (flushing what is buffered, up to half a second) and waits (bounded)
  // until nats.c has made its last callback. Blocks: not for the event loop while it serves.
  void close();

 private:
  static void on_disconnected(natsConnection*, void* self);
  static void on_reconnected(natsConnection*, void* self);
  static void on_closed(natsConnection*, void* self);
  static void on_connected(natsConnection*, void* self);
  static std::int64_t reconnect_delay(natsConnection*, int attempts, void* self);
  void event(Event e);

  ConnectOptions options_;
  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  std::mutex mutex_;
  std::condition_variable closed_cv_;
  bool closed_ = false;
};

// "nats: Authorization Violation" and the like: the status and the library's last error.
std::string describe(natsStatus status);

// The URL with any password or token replaced by "***", for logs.
std::string redact(std::string_view url);

// Publishes `body` on `subject` with `headers` (and a reply subject, if not empty).
natsStatus publish(natsConnection* nc, const std::string& subject, const std::string& reply,
                   std::string_view body, const std::map<std::string, std::string>& headers);

// A header's value, "" when absent.
std::string header(natsMsg* msg, const char* name);

}  // namespace offload::natsc
