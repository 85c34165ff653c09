// One parsed HTTP/1.x request, as the router sees it.
#pragma once

#include <string>

namespace http {

enum class Method { get, head, other };

struct Request {
  Method method = Method::get;
  std::string method_name;  // as sent, e.g. "GET"
  std::string target;       // the request-target as sent
  std::string path;         // target's path, e.g. "/hi"
  std::string query;        // target's query without '?', may be empty
  int version_minor = 1;    // HTTP/1.<minor>
  bool keep_alive = true;   // the connection may carry another request after this one
};

}  // namespace http
