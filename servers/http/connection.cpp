// Connection: the per-client state machine. Requests are taken one at a time (answers must go
// out in request order anyway), answers are batched into one write when pipelined, and the
// end of a connection is a shutdown plus a short lingering read, so the kernel never resets a
// connection under an answer the client has not read yet.
#include "connection.hpp"

#include <sys/socket.h>

#include <cstring>

namespace http {

namespace {

// Past these, stop taking more work from this client until it reads what it was sent: a
// client that pipelines without reading cannot make the server buffer without bound.
constexpr std::size_t kMaxPendingOut = 256 * 1024;
constexpr std::size_t kMaxBufferedIn = 64 * 1024;

}  // namespace

struct Connection::WriteRequest {
  uv_write_t req;
  std::string data;
};

Connection::Connection(ConnectionOwner& owner)
    : owner_(owner), options_(owner.options()), parser_(options_.limits) {
  tcp_.data = this;
}

void Connection::start(uv_stream_t* listener, Connections::iterator self) {
  self_ = self;
  last_activity_ms_ = uv_now(owner_.loop());
  uv_tcp_init(owner_.loop(), &tcp_);
  tcp_.data = this;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_)) != 0) {
    close();
    return;
  }
  uv_tcp_nodelay(&tcp_, 1);
  set_reading(true);
}

// uv_is_active cannot tell: a stream with a write in flight is active while not reading.
void Connection::set_reading(bool on) {
  if (on == reading_) return;
  reading_ = on;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (on) {
    uv_read_start(stream, on_alloc, on_read);
  } else {
    uv_read_stop(stream);
  }
}

void Connection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  *buf = static_cast<Connection*>(handle->data)->owner_.read_buffer();
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread > 0) {
    self->received(buf->base, static_cast<std::size_t>(nread));
  } else if (nread == UV_EOF) {
    self->peer_closed();
  } else if (nread < 0) {
    self->close();  // reset or other error: nobody is left to answer
  }
}

void Connection::received(const char* data, std::size_t len) {
  last_activity_ms_ = uv_now(owner_.loop());
  if (lingering_) return;  // discarding: the answer is already on its way
  in_.append(data, len);
  pump();
}

void Connection::peer_closed() {
  // The client sent its last byte (it may be half-closed and still reading): answer every
  // complete request it sent, then close.
  peer_closed_ = true;
  set_reading(false);
  if (lingering_) {
    close();
  } else {
    pump();
  }
}

void Connection::pump() {
  if (in_pump_) {  // re-entered from an answer given synchronously by the handler
    pump_again_ = true;
    return;
  }
  in_pump_ = true;
  do {
    pump_again_ = false;
    while (!closing_ && !close_after_flush_ && awaiting_ == 0 && out_.size() < kMaxPendingOut) {
      const std::string_view pending(in_.data() + in_off_, in_.size() - in_off_);
      const auto step = parser_.parse(pending);
      in_off_ += parser_.consumed();
      if (step == RequestParser::Step::need_more) {
        if (peer_closed_) close_after_flush_ = true;  // a partial request can never complete
        if (parser_.started(std::string_view(in_.data() + in_off_, in_.size() - in_off_))) {
          if (head_started_ms_ == 0) head_started_ms_ = uv_now(owner_.loop());
        } else {
          head_started_ms_ = 0;
        }
        break;
      }
      head_started_ms_ = 0;
      if (step == RequestParser::Step::error) {
        reject(parser_.error().status, parser_.error().reason);
        break;
      }
      const Request& request = parser_.request();
      head_only_ = request.method == Method::head;
      keep_alive_ = request.keep_alive && !draining_;
      minor_version_ = request.version_minor;
      awaiting_ = ++seq_;
      if (auto answer = owner_.handler().handle(request, ResponseSlot(weak_from_this(), seq_))) {
        complete(seq_, std::move(*answer));
      }
    }
  } while (pump_again_);
  in_pump_ = false;

  // Keep the buffer compact; most of the time everything was consumed and this is free.
  if (in_off_ == in_.size()) {
    in_.clear();
    in_off_ = 0;
  } else if (in_off_ > 0 && in_off_ >= in_.size() / 2) {
    in_.erase(0, in_off_);
    in_off_ = 0;
  }
  if (!closing_ && !peer_closed_ && !lingering_)
    set_reading(in_.size() - in_off_ <= kMaxBufferedIn);
  flush();
}

void Connection::complete(std::uint64_t seq, Response response) {
  if (closing_ || seq != awaiting_) return;  // answered already (shutdown) or stale
  awaiting_ = 0;
  respond(response);
  pump();
}

void Connection::respond(const Response& response) {
  const bool keep = keep_alive_ && !response.close && !draining_;
  append_response(out_, response, head_only_, keep, minor_version_);
  if (!keep) close_after_flush_ = true;
}

void Connection::reject(int status, std::string reason) {
  // No partial request is pending any more: the timeout sweep must not answer it again while
  // this answer waits for a slow reader.
  head_started_ms_ = 0;
  owner_.handler().answered_by_front_end(status);
  head_only_ = false;
  keep_alive_ = false;  // after a framing error the rest of the stream cannot be trusted
  minor_version_ = 1;
  respond(error_response(status, reason, true));
}

void Connection::flush() {
  if (closing_ || writing_) return;
  if (!out_.empty()) {
    auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
    // Most answers fit in the socket buffer: try a direct write before allocating a request.
    uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
    const int n = uv_try_write(stream, &buf, 1);
    if (n >= 0) {
      out_.erase(0, static_cast<std::size_t>(n));
    } else if (n != UV_EAGAIN) {
      close();
      return;
    }
    if (!out_.empty()) {
      auto* w = new WriteRequest;
      w->req.data = this;
      w->data.swap(out_);
      buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
      const int rc = uv_write(&w->req, stream, &buf, 1, on_write);
      if (rc != 0) {
        delete w;
        close();
        return;
      }
      writing_ = true;
      return;
    }
    last_activity_ms_ = uv_now(owner_.loop());
  }
  if (close_after_flush_ && awaiting_ == 0) begin_linger();
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<WriteRequest*>(req);
  auto* self = static_cast<Connection*>(req->data);
  delete w;
  self->written(status);
}

void Connection::written(int status) {
  writing_ = false;
  if (status < 0) {
    close();  // includes UV_ECANCELED when the handle is already closing
    return;
  }
  last_activity_ms_ = uv_now(owner_.loop());
  pump();  // may resume parsing that waited for the output to drain; flushes
}

void Connection::begin_linger() {
  if (lingering_ || closing_) return;
  lingering_ = true;
  if (peer_closed_) {
    close();
    return;
  }
  linger_until_ms_ = uv_now(owner_.loop()) + options_.linger_ms;
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp_), on_shutdown) != 0) {
    delete req;
    close();
    return;
  }
  set_reading(true);  // discard what the client still sends, until EOF or the deadline
}

void Connection::on_shutdown(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  delete req;
  if (status < 0) self->close();
}

void Connection::on_tick(std::uint64_t now) {
  if (closing_) return;
  // Lingering, or forced out at shutdown: a client that neither reads nor closes gets only
  // this long.
  if (lingering_ || forced_) {
    if (now >= linger_until_ms_) close();
    return;
  }
  if (awaiting_ != 0) return;  // a job is running for this client: not idle
  if (close_after_flush_) {
    // The last answer is written; a client that does not read it only gets the idle timeout.
    if (now - last_activity_ms_ >= options_.idle_timeout_ms) close();
    return;
  }
  // The head and then the body, if any: a request must have fully arrived by now.
  if (head_started_ms_ != 0 && now - head_started_ms_ >= options_.header_timeout_ms) {
    reject(408, "request not received in time");
    flush();
    return;
  }
  if (now - last_activity_ms_ >= options_.idle_timeout_ms) close();
}

void Connection::drain() {
  draining_ = true;
  if (busy() || head_started_ms_ != 0 || has_unread_bytes()) return;  // answered, then closed
  close();
}

// A request the client sent before the shutdown may still sit in the socket, unread: that
// connection is not idle, and closing it would drop the request without an answer.
bool Connection::has_unread_bytes() {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) != 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void Connection::close_now(const Response& answer_if_waiting) {
  if (closing_) return;
  draining_ = true;
  close_after_flush_ = true;
  forced_ = true;
  linger_until_ms_ = uv_now(owner_.loop()) + options_.linger_ms;
  if (awaiting_ != 0) {
    awaiting_ = 0;
    respond(answer_if_waiting);  // with "Connection: close"; the job's result is dropped
    flush();
  } else if (!writing_ && out_.empty()) {
    close();
  }
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  awaiting_ = 0;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void Connection::on_close(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  self->owner_.closed(self->self_);  // drops the last owning reference
}

}  // namespace http
