// Where the load goes: "host:port" (IPv4, [IPv6] or a name), resolved once up front so no
// request ever waits for DNS.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

namespace bench {

struct Target {
  std::string host = "127.0.0.1";
  int port = 8080;
  sockaddr_storage address{};  // filled by resolve()

  std::string text() const;  // host:port, IPv6 in brackets
  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&address); }
};

// Parses "host:port"; returns the rule it breaks, or "" when fine.
std::string parse_target(const std::string& text, Target& out);
// Resolves out.host (numeric first, then getaddrinfo); returns an error line or "".
std::string resolve(Target& target);

}  // namespace bench
