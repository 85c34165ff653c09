// The remote strategy's side of the broker: its connection, its reply inbox (one wildcard
// subscription, one reply subject per attempt), the workers' heartbeats, and the hand-off of
// everything that arrives on nats.c's threads to the loop.
//
// What must reach the loop at once (results, "no responders", connection events) goes through
// the Mailbox, as the thread pool's results do. What only the liveness check needs (a worker's
// "accepted", its heartbeats) waits in a locked list the loop takes on its next tick, so that
// an ordinary job wakes the loop once, for its result.
//
// Nothing here blocks the loop while it serves: publish() hands a frame to nats.c, which
// writes it to the socket at once (SendAsap). connect() blocks, at start; close_async() runs
// the close (which flushes and joins nats.c's threads) on a thread of its own.
#pragma once

#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mailbox.hpp"
#include "nats_client.hpp"
#include "remote_protocol.hpp"
#include "wire.hpp"

namespace offload::remote {

struct Inbound {
  enum class Kind { result, no_responders, malformed, connection, refused, torn_down };
  Kind kind = Kind::result;
  std::uint64_t attempt = 0;
  std::string worker;
  wire::ResultMessage result;
  std::uint64_t received_ns = 0;  // uv_hrtime() as the reply was taken from the socket
  natsc::Event event = natsc::Event::connected;
  std::string reason;  // refused: why
};

struct Accepted {
  std::uint64_t attempt = 0;
  std::string worker;
  std::uint64_t interval_ms = 0;
};

struct Beat {
  Heartbeat heartbeat;
  std::uint64_t at_ms = 0;  // uv_hrtime() in ms
};

class Link {
 public:
  Link(uv_loop_t* loop, std::string workload, Mailbox<Inbound>::Deliver deliver);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link();

  // Connects and subscribes (blocks). retry_at_start: a broker not there yet is retried in
  // the background ("" at once). "" or the reason.
  std::string connect(natsc::ConnectOptions options, bool retry_at_start);

  bool connected() const { return conn_.connected(); }
  // Loop thread: publishes one attempt of a job (its frame) as a request whose reply comes to
  // this attempt's subject.
  natsStatus publish(std::uint64_t attempt, const std::string& frame);
  // Loop thread: what arrived for the liveness check since the last call.
  void take(std::vector<Accepted>& accepted, std::vector<Beat>& beats);
  // Loop thread: something to answer on the next turn (a job refused inside submit()).
  void post(Inbound item) { mailbox_.post(std::move(item)); }

  // Loop thread, once: closes the connection on a thread of its own; when nats.c has made
  // its last callback, Kind::torn_down arrives. Then finish() joins the thread and closes
  // the mailbox.
  void close_async();
  void finish();
  // Shutdown gave up: no delivery any more. nats.c's threads may still run, so the object
  // must then never be destroyed (the owner leaks it on purpose).
  void abandon() { mailbox_.close(); }

  const std::string& job_subject() const { return job_subject_; }

 private:
  static void on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* self);
  static void on_heartbeat(natsConnection*, natsSubscription*, natsMsg* msg, void* self);
  static void on_subscription_done(void* self);
  void reply(natsMsg* msg);
  void close_now();

  const std::string workload_;
  const std::string job_subject_;
  Mailbox<Inbound> mailbox_;
  natsc::Connection conn_;
  std::string inbox_;  // _INBOX.<nuid>; an attempt's reply subject is inbox_.<attempt>
  natsSubscription* replies_ = nullptr;
  natsSubscription* beats_ = nullptr;

  std::mutex mutex_;  // the lists below, and the count of subscriptions done
  std::condition_variable done_cv_;
  std::vector<Accepted> accepted_;
  std::vector<Beat> beats_seen_;
  int subscriptions_done_ = 0;
  int subscriptions_ = 0;
  std::thread closer_;
};

}  // namespace offload::remote
