// A failed scrape is skipped quietly: if the server died, the server watcher says so with
// its exit status, which is the better message.
#include "sample/metrics_scraper.hpp"

#include "client/request.hpp"

namespace bench {

MetricsScraper::MetricsScraper(uv_loop_t* loop, const Target& target, Row row)
    : loop_(loop),
      target_(target),
      row_(std::move(row)),
      request_(get_request("/metrics", target.text())) {}

MetricsScraper::~MetricsScraper() = default;

void MetricsScraper::scrape(const std::string& context) {
  if (conn_ && (conn_->busy() || !conn_->connected())) return;  // the last one is still out
  context_ = context;
  if (!conn_) {
    conn_ = std::make_unique<Connection>(loop_, static_cast<ConnectionEvents&>(*this), true);
    want_ = true;
    if (conn_->open(target_.sockaddr_ptr()) != 0) conn_.reset();
    return;
  }
  if (conn_->send(request_) != 0) conn_.reset();
}

void MetricsScraper::snapshot(std::function<void(const Scrape*)> done) {
  snapshot_ = std::move(done);
  snapshot_sent_ = false;
  if (conn_ && conn_->busy()) return;  // sent when the answer now out arrives
  snapshot_sent_ = true;
  scrape("snapshot");
  if (!conn_) finish_snapshot(nullptr);
}

void MetricsScraper::finish_snapshot(const Scrape* scrape) {
  snapshot_sent_ = false;
  if (auto done = std::move(snapshot_)) {
    snapshot_ = nullptr;
    done(scrape);
  }
}

void MetricsScraper::on_connected(Connection& c) {
  if (want_) {
    want_ = false;
    if (c.send(request_) != 0) conn_.reset();
  }
}

void MetricsScraper::on_response(Connection& c, int status) {
  const std::uint64_t now = uv_hrtime();
  if (status == 200) {
    Scrape current(parse_prometheus(c.body()));
    if (on_scrape) on_scrape(current);
    const bool was_snapshot = snapshot_sent_;
    if (!previous_.empty() && !was_snapshot) row_(context_, now, loop_window(previous_, current));
    previous_ = std::move(current);
    if (was_snapshot) {
      if (!c.reusable()) conn_.reset();
      finish_snapshot(&previous_);  // may destroy this scraper: nothing after it
      return;
    }
  } else if (snapshot_sent_) {
    if (!c.reusable()) conn_.reset();
    finish_snapshot(nullptr);
    return;
  }
  if (!c.reusable()) conn_.reset();
  if (snapshot_ && !snapshot_sent_) {  // asked while the previous scrape was out
    snapshot_sent_ = true;
    scrape("snapshot");
    if (!conn_) finish_snapshot(nullptr);
  }
}

void MetricsScraper::on_failure(Connection&, Failure, int) {
  conn_.reset();
  if (snapshot_) finish_snapshot(nullptr);
}

}  // namespace bench
