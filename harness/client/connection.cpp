// The per-request path is: uv_try_write (one syscall, no callback), then one read that
// http_parser consumes. A response completes by pausing the parser in on_message_complete,
// so the owner is told only after http_parser_execute has returned: the owner may then
// destroy this connection without pulling the parser out from under itself.
#include "client/connection.hpp"

#include <cstring>

namespace bench {

namespace {

http_parser_settings make_settings(http_cb headers, http_data_cb body, http_cb complete) {
  http_parser_settings s;
  http_parser_settings_init(&s);
  s.on_headers_complete = headers;
  s.on_body = body;
  s.on_message_complete = complete;
  return s;
}

// One read buffer for every connection: libuv hands it to on_read straight after on_alloc,
// and nothing keeps a pointer into it afterwards.
thread_local char read_buffer[64 * 1024];

struct WriteRequest {
  uv_write_t req;
};

}  // namespace

struct Connection::Box {
  uv_tcp_t tcp;  // first member: the handle pointer is the box pointer
  uv_connect_t connect;
  Connection* owner;
};

Connection::Connection(uv_loop_t* loop, ConnectionEvents& events, bool keep_body)
    : box_(new Box), events_(events), keep_body_(keep_body) {
  box_->owner = this;
  uv_tcp_init(loop, &box_->tcp);
  box_->tcp.data = box_;
  box_->connect.data = box_;
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
}

Connection::~Connection() {
  box_->owner = nullptr;
  // Pending connect and write callbacks run (with UV_ECANCELED) before the close callback,
  // and find owner == nullptr; the box goes last.
  uv_close(reinterpret_cast<uv_handle_t*>(&box_->tcp),
           [](uv_handle_t* h) { delete reinterpret_cast<Box*>(h); });
}

int Connection::open(const sockaddr* address) {
  const int rc = uv_tcp_connect(&box_->connect, &box_->tcp, address, on_connect);
  if (rc == 0) uv_tcp_nodelay(&box_->tcp, 1);  // requests are small and latency is the point
  return rc;
}

int Connection::send(const std::string& bytes) {
  in_flight_ = true;
  complete_ = false;
  status_ = 0;
  body_.clear();
  auto* stream = reinterpret_cast<uv_stream_t*>(&box_->tcp);
  uv_buf_t buf = uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
  int written = uv_try_write(stream, &buf, 1);
  if (written == static_cast<int>(bytes.size())) return 0;
  if (written < 0 && written != UV_EAGAIN) return written;
  if (written < 0) written = 0;
  // The socket buffer is full (rare for a request this small): queue the rest.
  auto* req = new WriteRequest;
  buf = uv_buf_init(const_cast<char*>(bytes.data()) + written,
                    static_cast<unsigned>(bytes.size()) - static_cast<unsigned>(written));
  if (const int rc = uv_write(&req->req, stream, &buf, 1, on_write); rc != 0) {
    delete req;
    return rc;
  }
  return 0;
}

void Connection::on_connect(uv_connect_t* req, int status) {
  auto* box = static_cast<Box*>(req->data);
  if (box->owner != nullptr) box->owner->connected(status);
}

void Connection::connected(int status) {
  if (status < 0) {
    events_.on_failure(*this, Failure::connect, status);
    return;
  }
  connected_ = true;
  uv_read_start(reinterpret_cast<uv_stream_t*>(&box_->tcp), on_alloc, on_read);
  events_.on_connected(*this);
}

void Connection::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(read_buffer, sizeof read_buffer);
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* box = reinterpret_cast<Box*>(stream);
  if (box->owner == nullptr) return;
  if (nread > 0) {
    box->owner->received(buf->base, static_cast<std::size_t>(nread));
  } else if (nread < 0) {
    box->owner->ended(static_cast<int>(nread));
  }
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* box = reinterpret_cast<Box*>(req->handle);
  delete reinterpret_cast<WriteRequest*>(req);
  if (status < 0 && status != UV_ECANCELED && box->owner != nullptr)
    box->owner->events_.on_failure(*box->owner, Failure::reset, status);
}

void Connection::received(const char* data, std::size_t len) {
  if (!in_flight_) {
    // Bytes nobody asked for: the stream is out of step and cannot be trusted any more.
    events_.on_failure(*this, Failure::parse, 0);
    return;
  }
  static const http_parser_settings settings =
      make_settings(on_headers_complete, on_body, on_message_complete);
  const std::size_t used = http_parser_execute(&parser_, &settings, data, len);
  if (complete_) {
    http_parser_pause(&parser_, 0);
    complete_ = false;
    in_flight_ = false;
    // Extra bytes after a complete answer: answer it, but never reuse this connection.
    if (used != len) reusable_ = false;
    events_.on_response(*this, status_);  // may destroy this
    return;
  }
  if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK) events_.on_failure(*this, Failure::parse, 0);
}

void Connection::ended(int status) {
  if (in_flight_ && status == UV_EOF) {
    // A response delimited by the end of the stream (no Content-Length) completes here.
    static const http_parser_settings settings =
        make_settings(on_headers_complete, on_body, on_message_complete);
    http_parser_execute(&parser_, &settings, nullptr, 0);
    if (complete_) {
      complete_ = false;
      in_flight_ = false;
      reusable_ = false;
      events_.on_response(*this, status_);
      return;
    }
  }
  events_.on_failure(*this, in_flight_ ? Failure::reset : Failure::idle_eof, status);
}

int Connection::on_headers_complete(http_parser* p) {
  auto* c = static_cast<Connection*>(p->data);
  c->status_ = static_cast<int>(p->status_code);
  return 0;
}

int Connection::on_body(http_parser* p, const char* at, std::size_t len) {
  auto* c = static_cast<Connection*>(p->data);
  if (c->keep_body_) c->body_.append(at, len);
  return 0;
}

int Connection::on_message_complete(http_parser* p) {
  auto* c = static_cast<Connection*>(p->data);
  c->complete_ = true;
  c->reusable_ = http_should_keep_alive(p) != 0;
  http_parser_pause(p, 1);  // stop here; received() tells the owner
  return 0;
}

}  // namespace bench
