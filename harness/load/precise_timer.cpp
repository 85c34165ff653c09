// timerfd under a uv_poll_t. uv_hrtime() reads CLOCK_MONOTONIC, so its values are valid
// absolute deadlines for a CLOCK_MONOTONIC timerfd; hrtimers behind a timerfd get no timer
// slack, unlike poll/epoll timeouts.
#include "load/precise_timer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace bench {

struct PreciseTimer::Box {
  uv_poll_t poll;
  int fd;
};

PreciseTimer::PreciseTimer(uv_loop_t* loop, std::function<void()> fired)
    : box_(new Box), fired_(std::move(fired)) {
  box_->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (box_->fd < 0) {
    // Without a timerfd there is no honest open loop; this is a broken kernel, not a user error.
    std::perror("offload-bench: timerfd_create");
    std::abort();
  }
  uv_poll_init(loop, &box_->poll, box_->fd);
  box_->poll.data = this;
}

PreciseTimer::~PreciseTimer() {
  box_->poll.data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&box_->poll), [](uv_handle_t* h) {
    Box* box = reinterpret_cast<Box*>(h);  // poll is the first member
    ::close(box->fd);                      // uv_poll does not own its fd
    delete box;
  });
}

void PreciseTimer::arm(std::uint64_t deadline_ns) {
  // 0 would disarm the timerfd: a deadline at or before "now" must still fire.
  if (deadline_ns == 0) deadline_ns = 1;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(deadline_ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(deadline_ns % 1'000'000'000);
  timerfd_settime(box_->fd, TFD_TIMER_ABSTIME, &spec, nullptr);
  uv_poll_start(&box_->poll, UV_READABLE, on_poll);
}

void PreciseTimer::disarm() {
  itimerspec spec{};
  timerfd_settime(box_->fd, TFD_TIMER_ABSTIME, &spec, nullptr);
  uv_poll_stop(&box_->poll);
}

void PreciseTimer::on_poll(uv_poll_t* poll, int status, int) {
  if (poll->data == nullptr || status < 0) return;
  static_cast<PreciseTimer*>(poll->data)->readable();
}

void PreciseTimer::readable() {
  std::uint64_t expirations = 0;
  if (::read(box_->fd, &expirations, sizeof expirations) != sizeof expirations) return;
  uv_poll_stop(&box_->poll);
  fired_();  // may re-arm
}

}  // namespace bench
