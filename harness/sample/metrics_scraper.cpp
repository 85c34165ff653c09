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
    if (!previous_.empty()) row_(context_, now, loop_window(previous_, current));
    previous_ = std::move(current);
  }
  if (!c.reusable()) conn_.reset();
}

void MetricsScraper::on_failure(Connection&, Failure, int) {
  conn_.reset();
}

}  // namespace bench
