// The workers a remote server hears from, by id: what their heartbeats and "accepted" replies
// say (when last heard, how often they beat, how many jobs they run at once and hold), and
// whether a worker holding a job is still to be believed alive. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "remote_protocol.hpp"
#include "remote_stats.hpp"

namespace offload::remote {

class WorkerTable {
 public:
  // Workers known at most: beyond, a new id is not taken in (those known go on), so that
  // peers making up ids cannot grow the table, and /metrics, without bound.
  static constexpr std::size_t kMaxWorkers = 4096;

  void heard(const Heartbeat& beat, std::uint64_t at_ms);
  // It took a job (its "accepted" reply carries its heartbeat interval): alive now.
  void accepted(const std::string& worker, std::uint64_t interval_ms, std::uint64_t now_ms);
  // A local worker whose pid was reaped: dead at once, whatever its last heartbeat says.
  void died(const std::string& worker);
  // "" while `worker` may still finish a job it holds; else why not ("died", "fell silent").
  std::string gone(const std::string& worker, std::uint64_t now_ms) const;
  // The workers that take jobs: heard within their liveness limit, not leaving, not dead.
  std::map<std::string, WorkerView> live(std::uint64_t now_ms) const;
  // Drops workers silent for far longer than their limit (their reply counts stay).
  void forget_old(std::uint64_t now_ms);

 private:
  struct Seen {
    std::uint64_t last_ms = 0;
    std::uint64_t interval_ms = 100;
    unsigned concurrency = 0;
    unsigned busy = 0;
    bool leaving = false;
    bool dead = false;
    std::uint64_t silent_limit() const;
  };
  Seen* find_or_add(const std::string& worker);  // nullptr: a new one, with the table full
  std::map<std::string, Seen> seen_;
};

}  // namespace offload::remote
