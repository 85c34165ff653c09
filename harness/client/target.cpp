// getaddrinfo is called synchronously, before any load starts: resolution time must never
// count as latency.
#include "client/target.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cstring>

namespace bench {

std::string Target::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string parse_target(const std::string& text, Target& out) {
  const std::string rule = "must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
  std::string host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return rule;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) return rule;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int p = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (host.empty() || port.empty() || ec != std::errc() || ptr != port.data() + port.size() ||
      p < 1 || p > 65535)
    return rule + " (port 1 to 65535)";
  out.host = host;
  out.port = p;
  return {};
}

std::string resolve(Target& t) {
  std::memset(&t.address, 0, sizeof t.address);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&t.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&t.address);
  if (inet_pton(AF_INET, t.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(t.port));
    return {};
  }
  if (inet_pton(AF_INET6, t.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(t.port));
    return {};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(t.host.c_str(), nullptr, &hints, &found); rc != 0)
    return "cannot resolve " + t.host + ": " + gai_strerror(rc);
  std::memcpy(&t.address, found->ai_addr, found->ai_addrlen);
  if (found->ai_family == AF_INET) v4->sin_port = htons(static_cast<uint16_t>(t.port));
  if (found->ai_family == AF_INET6) v6->sin6_port = htons(static_cast<uint16_t>(t.port));
  freeaddrinfo(found);
  return {};
}

}  // namespace bench
