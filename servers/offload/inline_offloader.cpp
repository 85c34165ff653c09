// inline: the job runs on the loop thread, inside submit. Every other request on the loop
// waits for it: that is the point of measuring it.
#include "offloader.hpp"

namespace offload {

namespace {

class InlineOffloader final : public Offloader {
 public:
  Admission submit(workloads::Job job, Done done) override {
    running_ = 1;
    JobOutcome outcome{JobStatus::done, workloads::run(job)};
    running_ = 0;
    done(std::move(outcome));
    return Admission::accepted;
  }
  PoolStats stats() const override {
    PoolStats s;
    s.running = running_;
    s.workers = 1;
    return s;
  }
  void stop(std::function<void()> stopped) override { stopped(); }

 private:
  std::size_t running_ = 0;
};

}  // namespace

std::unique_ptr<Offloader> make_inline_offloader() {
  return std::make_unique<InlineOffloader>();
}

}  // namespace offload
