// Raw loopback HTTP for tests: blocking socket, poll() for timeouts, a tiny response parser.
#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace testsupport {

namespace {

// Parses one reply from the front of `data`; returns bytes used, or 0 if incomplete.
std::size_t parse_one(const std::string& data, Reply& reply, bool head_only) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::size_t pos = data.find("\r\n");
  const std::string status_line = data.substr(0, pos);
  reply = Reply{};
  reply.version = status_line.substr(0, status_line.find(' '));
  reply.status = std::atoi(status_line.c_str() + status_line.find(' ') + 1);
  while (pos < end) {
    const std::size_t next = data.find("\r\n", pos + 2);
    const std::string line = data.substr(pos + 2, next - pos - 2);
    pos = next;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    reply.headers[name] = value;
  }
  std::size_t length = 0;
  if (!head_only && reply.has("content-length"))
    length = std::stoul(reply.headers["content-length"]);
  if (data.size() < end + 4 + length) return 0;
  reply.body = data.substr(end + 4, length);
  return end + 4 + length;
}

}  // namespace

RawConnection::RawConnection(int port, bool tiny_window) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 && tiny_window) {
    const int receive_buffer = 4096, segment = 536;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    setsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &segment, sizeof segment);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void RawConnection::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

bool RawConnection::fill(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd p{fd_, POLLIN, 0};
  if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[16384];
  const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<Reply> RawConnection::read_reply(std::chrono::milliseconds timeout, bool head_only) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Reply reply;
    if (const std::size_t used = parse_one(buffer_, reply, head_only)) {
      buffer_.erase(0, used);
      return reply;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

bool RawConnection::read_until_closed(std::string& out, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  out = std::move(buffer_);
  buffer_.clear();
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[16384];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    out.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<Reply> roundtrip(int port, const std::string& request,
                               std::chrono::milliseconds timeout) {
  RawConnection c(port);
  if (!c.send(request)) return std::nullopt;
  return c.read_reply(timeout, request.rfind("HEAD ", 0) == 0);
}

std::string get_request(const std::string& target, const std::string& extra) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

double metric(int port, const std::string& name) {
  const auto reply = roundtrip(port, get_request("/metrics"));
  if (!reply) return -1;
  return sample(reply->body, name);
}

double sample(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

std::map<int, int> busy_workers(const std::string& exposition) {
  std::map<int, int> busy;
  const std::string flag = "offload_worker_busy{slot=\"";
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(flag, 0) != 0 || line.size() < 2 || line.compare(line.size() - 2, 2, " 1") != 0)
      continue;
    const int slot = std::stoi(line.substr(flag.size()));
    const double pid =
        sample(exposition, "offload_worker_pid{slot=\"" + std::to_string(slot) + "\"}");
    if (pid > 0) busy[static_cast<int>(pid)] = slot;
  }
  return busy;
}

std::vector<Reply> parse_replies(const std::string& bytes) {
  std::vector<Reply> replies;
  std::string rest = bytes;
  for (;;) {
    Reply r;
    const std::size_t used = parse_one(rest, r, false);
    if (used == 0) break;
    replies.push_back(std::move(r));
    rest.erase(0, used);
  }
  return replies;
}

}  // namespace testsupport
