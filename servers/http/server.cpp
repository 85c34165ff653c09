// Server: the listening socket, the set of live connections, and one coarse timer that checks
// every connection's deadlines (cheaper than a timer per connection at 10k connections).
#include "server.hpp"

#include <cstring>

#include "connection.hpp"

namespace http {

namespace {

constexpr std::uint64_t kSweepMs = 250;
constexpr int kBacklog = 4096;  // bursts of connects (httperf, wrk -c) must not be refused

}  // namespace

Server::Server(uv_loop_t* loop, Handler& handler, ServerOptions options)
    : loop_(loop), handler_(handler), options_(options) {}

Server::~Server() = default;

std::string Server::listen(const std::string& host, int port) {
  sockaddr_storage addr{};
  int rc = host.find(':') != std::string::npos
               ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr))
               : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) return "invalid address " + host + ": " + uv_strerror(rc);

  listener_ = new uv_tcp_t;
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  rc = uv_tcp_bind(listener_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), kBacklog, on_connection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listener_ = nullptr;
    return "cannot listen on " + host + ":" + std::to_string(port) + ": " + uv_strerror(rc);
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  sweep_timer_ = new uv_timer_t;
  uv_timer_init(loop_, sweep_timer_);
  sweep_timer_->data = this;
  uv_timer_start(sweep_timer_, on_sweep, kSweepMs, kSweepMs);
  return {};
}

void Server::on_connection(uv_stream_t* listener, int status) {
  if (status == 0) static_cast<Server*>(listener->data)->accept_one();
}

void Server::accept_one() {
  if (options_.max_connections > 0 && connections_.size() >= options_.max_connections) {
    auto* refused = new uv_tcp_t;
    uv_tcp_init(loop_, refused);
    if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_),
                  reinterpret_cast<uv_stream_t*>(refused)) == 0)
      ++refused_;
    uv_close(reinterpret_cast<uv_handle_t*>(refused),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    return;
  }
  connections_.push_front(std::make_shared<Connection>(static_cast<ConnectionOwner&>(*this)));
  connections_.front()->start(reinterpret_cast<uv_stream_t*>(listener_), connections_.begin());
}

void Server::on_sweep(uv_timer_t* timer) {
  static_cast<Server*>(timer->data)->sweep();
}

void Server::sweep() {
  const std::uint64_t now = uv_now(loop_);
  // on_tick may close a connection, but the list entry only goes in the close callback.
  for (auto& connection : connections_) connection->on_tick(now);
}

void Server::closed(Connections::iterator connection) {
  connections_.erase(connection);
  maybe_drained();
}

void Server::drain(std::function<void()> done) {
  draining_ = true;
  drained_ = std::move(done);
  if (listener_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listener_ = nullptr;
  }
  // Safe to iterate: a connection that closes leaves the list only in its close callback.
  for (auto& connection : connections_) connection->drain();
  maybe_drained();
}

void Server::close_all(const Response& answer) {
  for (auto& connection : connections_) connection->close_now(answer);
}

void Server::maybe_drained() {
  if (!draining_ || !connections_.empty() || !drained_) return;
  if (sweep_timer_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(sweep_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    sweep_timer_ = nullptr;
  }
  auto done = std::move(drained_);
  drained_ = nullptr;
  done();
}

}  // namespace http
