// The private nats-server: configuration file, start, readiness from its ports file, stop.
#include "embedded_broker.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "child_process.hpp"

namespace offload::hosting {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopGrace = std::chrono::milliseconds(1000);
constexpr int kPortAttempts = 16;

// A random port outside the kernel's ephemeral range (net.ipv4.ip_local_port_range), below it
// where there is room: no client connection on the host is ever given it as its local port,
// so none can hold it (a closed one does, in TIME_WAIT, for a minute) when the broker must bind
// it again after a crash. Taken by another listener now and then: start() tries another.
int unassigned_port() {
  int lo = 32768, hi = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> lo >> hi;
  const bool below = lo - 1 >= 10000 + 1000;
  const int first = below ? 10000 : hi + 1;
  const int last = below ? lo - 1 : 65535;
  if (last <= first) return 0;  // no room outside it: any port, chosen by nats-server ("-1")
  unsigned value = 0;
  while (getrandom(&value, sizeof value, 0) != sizeof value) {
  }
  return first + static_cast<int>(value % static_cast<unsigned>(last - first + 1));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// nats-server writes {"nats":["nats://127.0.0.1:PORT"],...} into DIR/nats-server_<pid>.ports
// once it listens (--ports_file_dir): the port it chose, and the sign that it is ready.
int port_from_ports_file(const std::string& dir, pid_t pid) {
  const std::string text = read_file(dir + "/nats-server_" + std::to_string(pid) + ".ports");
  const auto scheme = text.find("nats://");
  if (scheme == std::string::npos) return 0;
  const auto end = text.find('"', scheme);
  const std::string url = text.substr(scheme, end - scheme);
  const auto colon = url.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(url.c_str() + colon + 1);
}

std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Removes a broker directory's files (only the ones start() makes) and the directory.
void remove_broker_dir(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name == "nats.conf" || name == "nats.log" || name.rfind("nats-server_", 0) == 0)
        ::unlink((dir + "/" + name).c_str());
    }
    closedir(d);
  }
  ::rmdir(dir.c_str());
}

// A server killed outright leaves its broker's directory behind (the broker dies with it, by
// its death signal, and cannot remove its ports file): a directory of ours whose ports file
// names a process that is gone, or that never got one and is a minute old, is swept.
void sweep_stale_dirs() {
  DIR* d = opendir(temp_dir().c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind("offload-nats-", 0) != 0) continue;
    const std::string dir = temp_dir() + "/" + name;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) continue;
    bool stale = time(nullptr) - st.st_mtime > 60;
    if (DIR* inner = opendir(dir.c_str())) {
      while (dirent* f = readdir(inner)) {
        const std::string file = f->d_name;
        if (file.rfind("nats-server_", 0) != 0) continue;
        const pid_t pid = static_cast<pid_t>(std::atol(file.c_str() + 12));
        stale = pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
      }
      closedir(inner);
    }
    if (stale) remove_broker_dir(dir);
  }
  closedir(d);
}

}  // namespace

std::string random_token() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string EmbeddedBroker::url() const {
  const std::string host =
      address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "nats://" + host + ":" + std::to_string(port_);
}

std::string EmbeddedBroker::log_tail() const {
  const std::string text = read_file(dir_ + "/nats.log");
  const std::size_t keep = 600;
  return text.size() > keep ? text.substr(text.size() - keep) : text;
}

std::string EmbeddedBroker::start(Options options) {
  stop();
  address_ = options.address;
  token_ = options.token.empty() ? random_token() : options.token;
  sweep_stale_dirs();
  std::string pattern = temp_dir() + "/offload-nats-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    return "cannot make a directory " + pattern + ": " + std::strerror(errno);
  dir_ = pattern;
  program_ = options.program;
  // A port of our choosing is taken now and then (another program chose it too): another one.
  const bool any_port = options.port <= 0;
  for (int attempt = 1;; ++attempt) {
    port_ = any_port ? unassigned_port() : options.port;
    ::unlink((dir_ + "/nats.log").c_str());  // this attempt's reasons only
    std::string why = write_config(port_);
    if (why.empty()) why = spawn_server();
    if (why.empty()) why = await_listening();
    if (why.empty()) return {};
    if (!any_port || attempt == kPortAttempts ||
        why.find("address already in use") == std::string::npos) {
      stop();
      port_ = 0;
      return why;
    }
  }
}

// Waits for the ports file of the broker just spawned: "" once it listens, else why not (it
// exited, or was killed after kStartTimeout).
std::string EmbeddedBroker::await_listening() {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (try_reap(pid_, status)) {
      pid_ = -1;
      return "nats-server " + describe_exit(status) + ": " + log_tail();
    }
    if (const int port = port_from_ports_file(dir_, pid_); port > 0) {
      port_ = port;  // the one asked for, or the one nats-server chose
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string why = "nats-server did not listen within 10 s: " + log_tail();
  kill_and_reap(pid_);
  pid_ = -1;
  return why;
}

std::string EmbeddedBroker::write_config(int port) const {
  const std::string conf = dir_ + "/nats.conf";
  const int fd = ::open(conf.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + conf + ": " + std::strerror(errno);
  const std::string host =
      address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  const std::string text = "listen: \"" + host + ":" + std::to_string(port > 0 ? port : -1) +
                           "\"\nauthorization { token: \"" + token_ + "\" }\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok ? std::string() : "cannot write " + conf;
}

std::string EmbeddedBroker::spawn_server() {
  SpawnOptions spawn_options;
  spawn_options.program = program_;
  spawn_options.args = {"-c", dir_ + "/nats.conf", "--ports_file_dir", dir_,
                        "-l", dir_ + "/nats.log"};
  return spawn(spawn_options, pid_);
}

bool EmbeddedBroker::reap_if_exited(int& status) {
  if (pid_ <= 0 || !try_reap(pid_, status)) return false;
  // A broker that died cannot remove its ports file: gone with it, so that the directory's
  // only ports file names the live broker (stale directories are judged by it).
  ::unlink((dir_ + "/nats-server_" + std::to_string(pid_) + ".ports").c_str());
  pid_ = -1;
  return true;
}

std::string EmbeddedBroker::restart() {
  if (pid_ > 0 || dir_.empty() || port_ <= 0) return "no broker to restart";
  if (std::string err = write_config(port_); !err.empty()) return err;
  return spawn_server();
}

void EmbeddedBroker::stop() {
  if (pid_ > 0) stop_and_reap(pid_, kStopGrace);
  pid_ = -1;
  remove_directory();
}

void EmbeddedBroker::kill_now() {
  if (pid_ > 0) kill_and_reap(pid_);
  pid_ = -1;
  remove_directory();
}

void EmbeddedBroker::remove_directory() {
  if (dir_.empty()) return;
  remove_broker_dir(dir_);
  dir_.clear();
}

}  // namespace offload::hosting
