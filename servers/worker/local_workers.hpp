// The offload-worker processes the remote strategy starts on its own host when it runs its
// own broker: one per slot, each named for its slot and start (local-0-1, local-0-2 after a
// restart: a new process is a new worker, so the server never takes a replacement's heartbeat
// for its dead predecessor's). A worker that dies is noticed by polling its pid, reported, and
// started again after a back-off that grows while workers keep dying young.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sched_knobs.hpp"

namespace offload::hosting {

class LocalWorkers {
 public:
  struct Options {
    std::string program;  // offload-worker
    std::string nats_url;
    std::string token;  // handed over in NATS_TOKEN, not on the command line
    std::string workload;
    std::vector<std::string> workload_args;
    SchedKnobs knobs;
    unsigned count = 1;
    double heartbeat_s = 0.1;
  };

  struct Worker {
    std::size_t slot = 0;
    pid_t pid = -1;  // -1 while waiting for a restart
    std::string id;
    std::uint64_t restarts = 0;  // of this slot
    bool killed = false;         // by kill_worker(): its death is no crash
  };

  struct Death {
    std::string id;
    pid_t pid;
    int status;
  };

  LocalWorkers() = default;
  LocalWorkers(const LocalWorkers&) = delete;
  LocalWorkers& operator=(const LocalWorkers&) = delete;
  ~LocalWorkers() { kill_all_now(); }

  // Starts every worker. "" or the reason (the ones started are killed again).
  std::string start(Options options, std::uint64_t now_ms);
  // Reaps the workers that exited (returned) and, unless stopping, restarts due ones.
  std::vector<Death> poll(std::uint64_t now_ms);
  // SIGTERM to each: they drain and exit; poll() reaps them, and kills those still there two
  // seconds later. No restart from now on.
  void terminate_all(std::uint64_t now_ms);
  bool all_reaped() const;
  // SIGKILL to those left after the grace, then the same as poll().
  void kill_all_now();

  const std::vector<Worker>& workers() const { return workers_; }
  // What the ids of a slot's processes begin with ("local-0-"): the start count follows.
  static std::string id_prefix(std::size_t slot) { return "local-" + std::to_string(slot) + "-"; }
  // Kills the worker of that id (a job it runs is past its timeout): replaced like a dead one,
  // but not counted as dying young. False when no live worker has that id.
  bool kill_worker(const std::string& id);
  std::uint64_t restarts() const { return restarts_; }
  unsigned young_deaths() const { return young_deaths_; }
  std::uint64_t backoff_ms() const { return backoff_ms_; }

 private:
  std::string spawn_slot(Worker& w, std::uint64_t now_ms);

  Options options_;
  std::vector<Worker> workers_;
  std::vector<std::uint64_t> started_ms_;  // per slot: when its current process started
  std::vector<std::uint64_t> due_ms_;      // per slot: when to start it again (pid -1)
  std::vector<unsigned> generation_;       // per slot
  std::uint64_t restarts_ = 0;
  unsigned young_deaths_ = 0;
  std::uint64_t backoff_ms_ = 0;
  bool stopping_ = false;
  std::uint64_t stopping_since_ms_ = 0;
};

}  // namespace offload::hosting
