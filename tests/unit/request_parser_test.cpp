// The request parser alone: framing by RFC 9112, limits, pipelining, and bytes split at every
// possible point. No sockets: the parser is a function of the bytes.
#include <gtest/gtest.h>

#include "request_parser.hpp"

namespace {

using Step = http::RequestParser::Step;

struct Outcome {
  std::vector<http::Request> requests;
  int error_status = 0;  // 0: none
  std::string error_reason;
  std::size_t left = 0;  // bytes not consumed at the end
};

// Drives the parser the way a connection does: one buffer, consumed bytes dropped.
Outcome parse_stream(const std::string& bytes, std::size_t chunk = std::string::npos,
                     http::Limits limits = {}) {
  http::RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  std::size_t fed = 0;
  while (true) {
    const auto step = parser.parse(buffer);
    buffer.erase(0, parser.consumed());
    if (step == Step::request) {
      out.requests.push_back(parser.request());
      continue;
    }
    if (step == Step::error) {
      out.error_status = parser.error().status;
      out.error_reason = parser.error().reason;
      break;
    }
    if (fed == bytes.size()) break;
    const std::size_t n = std::min(chunk, bytes.size() - fed);
    buffer.append(bytes, fed, n);
    fed += n;
  }
  out.left = buffer.size();
  return out;
}

int status_of(const std::string& bytes) {
  return parse_stream(bytes).error_status;
}

const std::string kGet = "GET /hi HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(RequestParser, SimpleGet) {
  const auto out = parse_stream(kGet);
  ASSERT_EQ(out.requests.size(), 1u);
  const auto& r = out.requests[0];
  EXPECT_EQ(r.method, http::Method::get);
  EXPECT_EQ(r.path, "/hi");
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(out.left, 0u);
}

TEST(RequestParser, PathAndQueryFromOriginAndAbsoluteForm) {
  auto out = parse_stream("GET /?n=20&x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_EQ(out.requests[0].path, "/");
  EXPECT_EQ(out.requests[0].query, "n=20&x=1");
  out = parse_stream("GET http://127.0.0.1:8080/hi HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_EQ(out.requests[0].path, "/hi");
}

TEST(RequestParser, EverySplitPointGivesTheSameRequests) {
  const std::string two = kGet + "HEAD /?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (std::size_t chunk = 1; chunk <= two.size(); ++chunk) {
    const auto out = parse_stream(two, chunk);
    ASSERT_EQ(out.requests.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(out.requests[0].path, "/hi");
    EXPECT_EQ(out.requests[1].method, http::Method::head);
    EXPECT_EQ(out.requests[1].query, "n=3");
    EXPECT_FALSE(out.requests[1].keep_alive);
    EXPECT_EQ(out.error_status, 0);
  }
}

TEST(RequestParser, KeepAliveRules) {
  EXPECT_FALSE(parse_stream("GET / HTTP/1.0\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_TRUE(
      parse_stream("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_FALSE(parse_stream("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                   .requests.at(0)
                   .keep_alive);
  EXPECT_EQ(parse_stream("GET / HTTP/1.0\r\n\r\n").requests.at(0).version_minor, 0);
}

TEST(RequestParser, LeadingBlankLinesAndBareLfAreAccepted) {
  EXPECT_EQ(parse_stream("\r\n\r\n" + kGet).requests.size(), 1u);
  EXPECT_EQ(parse_stream("GET / HTTP/1.1\nHost: x\n\n").requests.size(), 1u);
}

TEST(RequestParser, HeadIsNotCompleteUntilTheEmptyLine) {
  const auto out = parse_stream("GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(out.requests.empty());
  EXPECT_EQ(out.error_status, 0);
}

TEST(RequestParser, HeadOverTheLimitIs431) {
  const std::string big =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_EQ(status_of(big), 431);
  // Also when the end never comes: the limit applies to what is buffered.
  EXPECT_EQ(parse_stream("GET /" + std::string(10000, 'a')).error_status, 431);
  // A head exactly at the limit passes.
  std::string exact = "GET / HTTP/1.1\r\nHost: x\r\nX: ";
  exact += std::string(8192 - exact.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 8192u);
  EXPECT_EQ(parse_stream(exact).requests.size(), 1u);
  EXPECT_EQ(status_of(exact.substr(0, exact.size() - 4) + "a\r\n\r\n"), 431);
}

TEST(RequestParser, BodiesAre413) {
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"), 413);
  EXPECT_EQ(
      status_of(
          "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
      413);
  // An empty body is no body.
  EXPECT_EQ(parse_stream("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").requests.size(),
            1u);
  const auto chunked = parse_stream(
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kGet);
  EXPECT_EQ(chunked.requests.size(), 2u);
}

TEST(RequestParser, SmugglingShapedFramingIs400) {
  const std::vector<std::string> bad = {
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
      "chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n",
      "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n Host: y\r\n\r\n",
  };
  for (const auto& request : bad) EXPECT_EQ(status_of(request), 400) << request;
}

TEST(RequestParser, HostRules) {
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);
  EXPECT_EQ(parse_stream("GET / HTTP/1.0\r\n\r\n").requests.size(), 1u);  // optional in 1.0
  EXPECT_EQ(parse_stream("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").requests.size(), 1u);
  EXPECT_EQ(parse_stream("GET / HTTP/1.1\r\nhOsT: x\r\n\r\n").requests.size(), 1u);
}

TEST(RequestParser, MalformedHeadsAre400) {
  const std::vector<std::string> bad = {
      "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
      std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 36),
      std::string("GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", 28),
      "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX: \x01\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nBad(name): 1\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
      " GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1\r\nHost: x\r\n\r\n",
      "GET /\r\nHost: x\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET hi HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
      "G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const auto& request : bad) EXPECT_EQ(status_of(request), 400) << request;
}

TEST(RequestParser, NonHttpBytesAreRefusedBeforeTheHeadEnds) {
  EXPECT_EQ(status_of(std::string("\x16\x03\x01\x02\x00", 5)), 400);
  EXPECT_EQ(status_of("G\x01"), 400);
  EXPECT_EQ(parse_stream("GET").error_status, 0);  // a prefix of a request waits
}

TEST(RequestParser, OtherVersionsAre505) {
  EXPECT_EQ(status_of("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
}

TEST(RequestParser, UnknownButWellFormedMethodsParseForA405) {
  for (const char* m : {"POST", "DELETE", "PUT", "OPTIONS", "BREW", "get"}) {
    const auto out = parse_stream(std::string(m) + " / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(out.requests.size(), 1u) << m;
    EXPECT_EQ(out.requests[0].method, http::Method::other);
    EXPECT_EQ(out.requests[0].method_name, m);
  }
  // Framing is still judged first.
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"), 413);
  EXPECT_EQ(
      status_of(
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
      400);
}

TEST(RequestParser, PipelinedRequestsComeOutInOrder) {
  std::string many;
  for (int i = 1; i <= 20; ++i)
    many += "GET /?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto out = parse_stream(many);
  ASSERT_EQ(out.requests.size(), 20u);
  for (int i = 1; i <= 20; ++i) EXPECT_EQ(out.requests[i - 1].query, "n=" + std::to_string(i));
}

TEST(RequestParser, ErrorReasonIsOneLine) {
  const auto out = parse_stream("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n");
  EXPECT_EQ(out.error_status, 400);
  EXPECT_FALSE(out.error_reason.empty());
  EXPECT_EQ(out.error_reason.find('\n'), std::string::npos);
}

}  // namespace
