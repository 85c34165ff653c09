// Pinning the harness and the servers it starts to CPU lists (--harness-cpus,
// --server-cpus), so a user can keep the load generator off the server's cores and the
// results can say whether the two shared them.
#pragma once

#include <sched.h>

#include <optional>
#include <string>
#include <vector>

namespace bench {

// "0-1,3" -> {0, 1, 3}, sorted; nullopt when it is not such a list (every item a CPU number
// or an ascending range lo-hi): flags::parse_cpu_list, the server's reader too, for any CPU
// the affinity calls can name.
std::optional<std::vector<int>> parse_cpu_list(const std::string& list);

// "0-1,3" -> the set; false on a malformed list (lists are checked when options are parsed).
bool cpu_set_of(const std::string& list, cpu_set_t& out);

// The CPUs the calling thread may run on, as a list ("0-1").
std::string thread_cpus();

// Pins the calling thread (and so the children it forks) to `list` for the scope's life,
// then restores what it had; an empty list changes nothing.
class ScopedAffinity {
 public:
  explicit ScopedAffinity(const std::string& list);
  ~ScopedAffinity();
  ScopedAffinity(const ScopedAffinity&) = delete;
  ScopedAffinity& operator=(const ScopedAffinity&) = delete;

 private:
  cpu_set_t saved_;
  bool active_ = false;
};

// Pins the whole harness process's current thread for good; "" or why not.
std::string pin_this_thread(const std::string& list);

}  // namespace bench
