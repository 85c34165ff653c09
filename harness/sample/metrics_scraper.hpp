// Scrapes the server's /metrics over one keep-alive connection, once per window. A scrape
// still waiting for its answer (an inline server busy with a job) is not doubled up: that
// window gets no row. Each answer is compared with the previous one (LoopWindow).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client/connection.hpp"
#include "client/target.hpp"
#include "sample/prometheus.hpp"

namespace bench {

class MetricsScraper final : private ConnectionEvents {
 public:
  // `row(context, at_ns, window)`: context is what scrape() was given.
  using Row = std::function<void(const std::string& context, std::uint64_t at_ns,
                                 const LoopWindow& window)>;
  MetricsScraper(uv_loop_t* loop, const Target& target, Row row);
  ~MetricsScraper();

  void scrape(const std::string& context);  // the first answer is the baseline, no row
  // A scrape sent after this call (after the one still out, if any); `done` gets its answer,
  // or nullptr when it failed. Its window gets no row: it marks a phase's boundary.
  void snapshot(std::function<void(const Scrape*)> done);
  // Called with every answer, the baseline's too, before its row: the knobs the server
  // reports are read from here.
  std::function<void(const Scrape&)> on_scrape;

 private:
  void finish_snapshot(const Scrape* scrape);
  void on_connected(Connection& c) override;
  void on_response(Connection& c, int status) override;
  void on_failure(Connection& c, Failure failure, int uv_status) override;

  uv_loop_t* loop_;
  Target target_;
  Row row_;
  std::string request_;
  std::unique_ptr<Connection> conn_;
  std::string context_;
  bool want_ = false;
  Scrape previous_;
  std::function<void(const Scrape*)> snapshot_;
  bool snapshot_sent_ = false;  // the request now out is the snapshot's
};

}  // namespace bench
