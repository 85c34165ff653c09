// GPGME on the caller's loop: the register/remove callbacks become LoopIo watches, the "done"
// event is deferred to the loop, and the plaintext goes through a callback data object into an
// incremental SHA-256.
#include "gpg_async_decrypt.hpp"

#include <chrono>

#include "gpg_gpgme.hpp"
#include "gpg_sha256.hpp"

namespace workloads::gpg {

using Clock = std::chrono::steady_clock;
using detail::micros_since;

struct AsyncDecryption::Impl {
  // One descriptor GPGME asked us to watch; `tag` for GPGME's remove callback.
  struct Io {
    Impl* self = nullptr;
    LoopIo::Watch watch = nullptr;
    int fd = -1;
    gpgme_io_cb_t fnc = nullptr;
    void* fnc_data = nullptr;
  };

  LoopIo& loop;
  std::string home;
  std::shared_ptr<const std::string> ciphertext;
  Done done;
  detail::Ctx ctx;
  detail::Data in;
  detail::Data out;
  gpgme_data_cbs out_cbs{};
  Sha256 hash;
  std::size_t bytes = 0;
  std::uint64_t loop_ns = 0;
  Clock::time_point started = Clock::now();
  bool finished = false;  // GPGME said done (or never started): no more GPGME calls
  gpgme_error_t error = 0;

  Impl(LoopIo& l, std::string h, std::shared_ptr<const std::string> c, Done d)
      : loop(l), home(std::move(h)), ciphertext(std::move(c)), done(std::move(d)) {}

  // Runs `fn` and charges its time to the loop.
  template <class F>
  void timed(F&& fn) {
    const auto t0 = Clock::now();
    fn();
    loop_ns += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
  }

  static gpgme_error_t add_io(void* data, int fd, int dir, gpgme_io_cb_t fnc, void* fnc_data,
                              void** tag) {
    auto* self = static_cast<Impl*>(data);
    auto* io = new Io{self, nullptr, fd, fnc, fnc_data};
    // GPGME's own handler (fnc) reads or writes, reports errors and emits the done event; its
    // status is for a caller that drives GPGME without events.
    io->watch = self->loop.watch(fd, dir == 1, [io] {
      Impl* s = io->self;
      s->timed([io] { io->fnc(io->fnc_data, io->fd); });  // io may be gone after this
    });
    *tag = io;
    return 0;
  }

  static void remove_io(void* tag) {
    auto* io = static_cast<Io*>(tag);
    io->self->loop.unwatch(io->watch);
    delete io;
  }

  static void event(void* data, gpgme_event_io_t type, void* type_data) {
    if (type != GPGME_EVENT_DONE) return;
    auto* self = static_cast<Impl*>(data);
    const auto* result = static_cast<gpgme_io_event_done_data_t>(type_data);
    self->finish(result->err != 0 ? result->err : result->op_err);
  }

  static gpgme_ssize_t write_plain(void* handle, const void* buffer, std::size_t size) {
    auto* self = static_cast<Impl*>(handle);
    self->hash.update(buffer, size);
    self->bytes += size;
    return static_cast<gpgme_ssize_t>(size);
  }

  void finish(gpgme_error_t err) {
    if (finished) return;
    finished = true;
    error = err;
    loop.defer([this] { deliver(); });
  }

  void deliver() {
    Decryption d;
    d.gpgme_us = micros_since(started);
    d.total_us = d.gpgme_us;
    if (error != 0) {
      d.text = detail::describe_decrypt_failure(error, home);
    } else {
      d.ok = true;
      d.bytes = bytes;
      const auto t0 = Clock::now();
      d.sha256 = hash.hex();
      d.digest_us = micros_since(t0);
      d.text = "decrypted " + std::to_string(bytes) + " bytes sha256=" + d.sha256 + "\n";
    }
    Done callback = std::move(done);
    callback(std::move(d));  // may destroy this object: touch nothing afterwards
  }
};

AsyncDecryption::AsyncDecryption(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncDecryption::~AsyncDecryption() {
  if (!impl_) return;
  // Normally done has run; should the owner go first, stop gpg and every watch now.
  if (!impl_->finished && impl_->ctx) gpgme_cancel(impl_->ctx.get());
  impl_->ctx.reset();
}

std::unique_ptr<AsyncDecryption> AsyncDecryption::start(
    LoopIo& loop, const std::string& home, std::shared_ptr<const std::string> ciphertext, Done done,
    std::string* error) {
  auto impl = std::make_unique<Impl>(loop, home, std::move(ciphertext), std::move(done));
  Impl& s = *impl;
  gpgme_error_t err = 0;
  s.timed([&] {
    s.ctx = detail::make_context(home, error);
    if (!s.ctx) return;
    gpgme_io_cbs cbs{&Impl::add_io, &s, &Impl::remove_io, &Impl::event, &s};
    gpgme_set_io_cbs(s.ctx.get(), &cbs);
    s.in = detail::make_data_view(s.ciphertext->data(), s.ciphertext->size(), error);
    if (!s.in) return;
    s.out_cbs.write = &Impl::write_plain;
    gpgme_data_t out = nullptr;
    err = gpgme_data_new_from_cbs(&out, &s.out_cbs, &s);
    if (err != 0) return;
    s.out.reset(out);
    err = gpgme_op_decrypt_start(s.ctx.get(), s.in.get(), s.out.get());
  });
  if (!s.ctx || !s.in) return nullptr;
  // A start that failed (no gpg, no home) is a failed job, reported like any other.
  if (err != 0) s.finish(err);
  return std::unique_ptr<AsyncDecryption>(new AsyncDecryption(std::move(impl)));
}

void AsyncDecryption::cancel() {
  if (impl_->finished) return;
  Impl& s = *impl_;
  s.timed([&] { gpgme_cancel(s.ctx.get()); });
  // gpgme_cancel emits the done event itself; should it not, end the job here.
  s.finish(gpg_error(GPG_ERR_CANCELED));
}

std::uint64_t AsyncDecryption::loop_us() const {
  return impl_->loop_ns / 1000;
}

}  // namespace workloads::gpg
