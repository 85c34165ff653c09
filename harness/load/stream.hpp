// A load stream: a set of keep-alive connections to one target and path, with its own
// statistics. The base class owns the connections, request timing, timeouts and error
// classes; ClosedLoop and OpenLoop only decide when a request goes out. Lifecycle:
// prepare() opens the first connections -> ready; start() begins sending; the stream
// finishes by itself (duration, calls) or by finish(); after finishing it drains (answers
// still in flight) and close_all() ends it. Every event goes to the StreamListener.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "client/target.hpp"
#include "load/stream_spec.hpp"
#include "stats/stream_stats.hpp"
#include "uv/handles.hpp"

namespace bench {

class Stream;

class StreamListener {
 public:
  virtual void stream_ready(Stream& s) = 0;     // the first connections are open
  virtual void stream_finished(Stream& s) = 0;  // sends no more requests
  virtual void stream_drained(Stream& s) = 0;   // finished, and nothing left in flight
  // The target refuses connections or cannot be reached: no point going on.
  virtual void stream_fatal(Stream& s, const std::string& message) = 0;

 protected:
  ~StreamListener() = default;
};

class Stream : protected ConnectionEvents {
 public:
  Stream(uv_loop_t* loop, const Target& target, StreamSpec spec, StreamListener& listener);
  virtual ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void prepare();
  void start();
  void finish();  // stop sending now; answers in flight still arrive (see counts_in_drain)
  // Closes every connection. Counted requests still unanswered become timeouts, unless the
  // run was interrupted (then they were simply never measured).
  void close_all(bool unanswered_are_timeouts = true);

  const StreamSpec& spec() const { return spec_; }
  StreamStats& stats() { return stats_; }
  const StreamStats& stats() const { return stats_; }
  std::uint64_t start_ns() const { return start_ns_; }
  std::uint64_t end_ns() const { return end_ns_; }  // when it finished sending
  bool started() const { return start_ns_ != 0; }
  bool finished() const { return finished_; }
  std::size_t connection_count() const { return conns_.size(); }
  // Requests the stream still owes an answer to (sent, or due and waiting for a connection).
  virtual std::size_t outstanding() const { return busy_; }

 protected:
  // Answers that arrive after finish() count for an open loop (their due times were inside
  // the run: dropping them would hide a stall at the end) but not for a closed loop.
  virtual bool counts_in_drain() const = 0;
  virtual void begin() = 0;                              // the first sends
  virtual void connection_free(Connection& c) = 0;       // connected, or answered and reusable
  virtual void call_done(Connection&) {}                 // a call ended (answer or failure)
  virtual void connection_gone(Connection&) {}           // about to be destroyed
  virtual void sending_stopped() {}                      // finish() or the stream's own end
  virtual void expire_waiting(std::uint64_t /*now*/) {}  // open loop: time out queued requests
  virtual void abandon_waiting(bool /*count*/) {}        // open loop: queued requests at close_all

  // nullptr when the connection could not even be started (then the stream is fatal).
  Connection* open_connection(std::size_t tag);
  void send_on(Connection& c, std::uint64_t intended_ns);
  void drop(Connection& c);
  void end_sending();  // marks finished, tells the listener, checks for drained
  void check_drained();
  void fail(const std::string& message);
  std::size_t connecting() const { return connecting_; }

  // ConnectionEvents
  void on_connected(Connection& c) override;
  void on_response(Connection& c, int status) override;
  void on_failure(Connection& c, Failure failure, int uv_status) override;

  uv_loop_t* loop_;
  Target target_;
  StreamSpec spec_;
  StreamListener& listener_;
  StreamStats stats_;
  std::string request_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::size_t busy_ = 0;  // connections with a request in flight
  std::uint64_t start_ns_ = 0;
  std::uint64_t end_ns_ = 0;
  bool finished_ = false;
  bool fatal_ = false;
  bool closed_ = false;  // close_all ran: loops over connections must stop

 private:
  void sweep();  // timeouts
  std::size_t preparing_ = 0;
  std::size_t connecting_ = 0;
  bool ready_ = false;
  bool drained_ = false;
  std::uint64_t answered_ = 0;  // responses of any status: the stream has reached the server
  uvx::Timer sweep_timer_;
};

std::unique_ptr<Stream> make_stream(uv_loop_t* loop, const Target& target, const StreamSpec& spec,
                                    StreamListener& listener);

}  // namespace bench
