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
  const std::string conf = dir_ + "/nats.conf";
  {
    const int fd = ::open(conf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot write " + conf + ": " + std::strerror(errno);
    const std::string host =
        address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
    const std::string text = "listen: \"" + host + ":" +
                             std::to_string(options.port > 0 ? options.port : -1) +
                             "\"\nauthorization { token: \"" + token_ + "\" }\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) return "cannot write " + conf;
  }
  pid_t pid = -1;
  SpawnOptions spawn_options;
  spawn_options.program = options.program;
  spawn_options.args = {"-c", conf, "--ports_file_dir", dir_, "-l", dir_ + "/nats.log"};
  if (std::string err = spawn(spawn_options, pid); !err.empty()) {
    remove_directory();
    return err;
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (try_reap(pid_, status)) {
      pid_ = -1;
      const std::string why = "nats-server " + describe_exit(status) + ": " + log_tail();
      remove_directory();
      return why;
    }
    if ((port_ = port_from_ports_file(dir_, pid_)) > 0) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string why = "nats-server did not listen within 10 s: " + log_tail();
  stop();
  return why;
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
