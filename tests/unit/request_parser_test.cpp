// The request parser alone: framing by RFC 9112, limits, pipelining, and bytes split at every
// possible point. No sockets: the parser is a function of the bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "http_date.hpp"
#include "request_parser.hpp"
#include "response.hpp"

namespace {

using Step = http::RequestParser::Step;

struct Outcome {
  std::vector<http::Request> requests;
  int error_status = 0;  // 0: none
  std::string error_reason;
  std::size_t left = 0;  // bytes not consumed at the end
};

// Bytes handed to the parser in a heap block of their own, wiped and freed once the call is
// over: a connection's buffer moves when it grows or is compacted, so a parser that keeps a
// view into an earlier read reads garbage here, and freed memory under AddressSanitizer.
class FreshBuffer {
 public:
  explicit FreshBuffer(const std::string& bytes)
      : size_(bytes.size()), data_(std::make_unique<char[]>(bytes.size() + 1)) {
    std::memcpy(data_.get(), bytes.data(), size_);
  }
  ~FreshBuffer() { std::memset(data_.get(), 'H', size_); }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

// Drives the parser the way a connection does: consumed bytes dropped, the rest carried over
// into a new buffer with the next read appended.
Outcome parse_stream(const std::string& bytes, std::size_t chunk = std::string::npos,
                     http::Limits limits = {}) {
  http::RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  std::size_t fed = 0;
  while (true) {
    const auto step = [&] {
      const FreshBuffer fresh(buffer);
      return parser.parse(fresh.view());
    }();
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

// Every split of `bytes` into two or more reads gives the same status.
void expect_status_at_every_split(const std::string& bytes, int status) {
  EXPECT_EQ(status_of(bytes), status) << bytes;
  for (std::size_t chunk = 1; chunk < bytes.size(); chunk += (chunk < 8 ? 1 : 7))
    EXPECT_EQ(parse_stream(bytes, chunk).error_status, status)
        << "chunk " << chunk << ": " << bytes;
}

const std::string kChunkedHead = "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

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

namespace {

// A trailer whose name came in one read and its value in the next: the parser must not look
// back into the first read's buffer (it is freed by then).
TEST(RequestParser, TrailerSplitAcrossReadsInFreshBuffers) {
  const std::string request = kChunkedHead + "0\r\nHost-Like-Trailer: v\r\n\r\n";
  const std::size_t value_at = request.find(" v\r\n");
  http::RequestParser parser;
  std::string carried;
  int requests = 0;
  for (const std::string& read : {request.substr(0, value_at + 1), request.substr(value_at + 1)}) {
    carried += read;
    const FreshBuffer fresh(carried);
    const auto step = parser.parse(fresh.view());
    ASSERT_NE(step, Step::error) << parser.error().reason;
    if (step == Step::request) ++requests;
    carried.erase(0, parser.consumed());
  }
  EXPECT_EQ(requests, 1);
  EXPECT_TRUE(carried.empty());
  // And at every split point, with a trailer after a body and after an empty one.
  for (std::size_t chunk = 1; chunk <= request.size(); ++chunk) {
    const auto out = parse_stream(request + kGet, chunk);
    ASSERT_EQ(out.requests.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(out.error_status, 0);
  }
  expect_status_at_every_split(kChunkedHead + "3\r\nabc\r\n0\r\nA: 1\r\nB-2: x y\r\n\r\n", 413);
}

TEST(RequestParser, MalformedChunkFramingIs400) {
  const std::vector<std::string> bad = {
      "zz\r\nhello\r\n0\r\n\r\n",             // not hex
      "\r\nhello\r\n0\r\n\r\n",               // no size
      "-5\r\nhello\r\n0\r\n\r\n",             //
      "0x5\r\nhello\r\n0\r\n\r\n",            //
      "5 \r\nhello\r\n0\r\n\r\n",             // whitespace after the size
      "5\t\r\nhello\r\n0\r\n\r\n",            //
      "5 ;a=b\r\nhello\r\n0\r\n\r\n",         //
      "5;\r\nhello\r\n0\r\n\r\n",             // a bare ';'
      "5;a=b;\r\nhello\r\n0\r\n\r\n",         //
      "5;=b\r\nhello\r\n0\r\n\r\n",           //
      "5;a=\r\nhello\r\n0\r\n\r\n",           //
      "5;a=\x01\r\nhello\r\n0\r\n\r\n",       // control characters in an extension
      "5;a\x7f\r\nhello\r\n0\r\n\r\n",        //
      "5;a=\"x\x01\"\r\nhello\r\n0\r\n\r\n",  //
      "5;a=\"x\ry\"\r\nhello\r\n0\r\n\r\n",   // a bare CR in an extension
      "5;a\rb\r\nhello\r\n0\r\n\r\n",         //
      "5\rhello\r\n0\r\n\r\n",                // a bare CR after the size
      "5\nhello\r\n0\r\n\r\n",                // a bare LF
      "5\r\nhelloXX\r\n0\r\n\r\n",            // more data than the size says
      "5\r\nhello0\r\n\r\n",                  // no CRLF after the data
      "5\r\nhello\n0\r\n\r\n",                //
      "5\r\nhello\r\r\n0\r\n\r\n",            //
      "0\r\nX\x01: y\r\n\r\n",                // broken trailers
      "0\r\n folded\r\n\r\n",                 //
      "0\r\nNo-Colon\r\n\r\n",                //
      "0\r\nX: a\rb\r\n\r\n",                 //
      "0\r\nX: a\x00b\r\n\r\n",               //
      "0\r\n\r\r\n",                          //
  };
  for (const auto& body : bad) expect_status_at_every_split(kChunkedHead + body, 400);
  // The framing is judged before the body: well-formed ones are read, then refused (413).
  for (const std::string body :
       {"5\r\nhello\r\n0\r\n\r\n", "A\r\n0123456789\r\n0\r\n\r\n", "a\r\n0123456789\r\n0\r\n\r\n",
        "005;ext\r\nhello\r\n0;last=1\r\n\r\n",
        "5;a=b;c=\"q \\\" \t x\"\r\nhello\r\n1\r\n!\r\n0\r\n\r\n"})
    expect_status_at_every_split(kChunkedHead + body, 413);
}

TEST(RequestParser, ABodyThatHasNotArrivedIsWaitedFor) {
  // Nothing is answered before the body is complete: no request, no error, bytes consumed.
  auto out = parse_stream("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(out.error_status, 0);
  EXPECT_TRUE(out.requests.empty());
  EXPECT_EQ(out.left, 0u) << "body bytes are dropped as they come, not buffered";
  out = parse_stream(kChunkedHead + "5\r\nhello\r\n");  // no last chunk
  EXPECT_EQ(out.error_status, 0);
  EXPECT_TRUE(out.requests.empty());
  out = parse_stream(kChunkedHead + "5\r\nhello\r\n0\r\nTrailer: x\r\n");  // no final CRLF
  EXPECT_EQ(out.error_status, 0);
  // Complete, at any split: then refused.
  expect_status_at_every_split("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789",
                               413);
}

TEST(RequestParser, ABodyOverTheLimitIs413AsSoonAsTheHeadEnds) {
  http::Limits limits;
  limits.max_body_bytes = 100;
  // Content-Length: answered at the end of the head, the body not awaited.
  auto out = parse_stream("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n",
                          std::string::npos, limits);
  EXPECT_EQ(out.error_status, 413);
  // ...but not before the head is complete: framing first.
  out = parse_stream("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n", std::string::npos,
                     limits);
  EXPECT_EQ(out.error_status, 0);
  out = parse_stream(
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\nTransfer-Encoding: chunked\r\n\r\n",
      std::string::npos, limits);
  EXPECT_EQ(out.error_status, 400);
  // Chunked: as soon as the sizes add up past it, however many digits the size has.
  EXPECT_EQ(parse_stream(kChunkedHead + "65\r\n", std::string::npos, limits).error_status, 413);
  EXPECT_EQ(parse_stream(kChunkedHead + "32\r\n" + std::string(50, 'a') + "\r\n33\r\n",
                         std::string::npos, limits)
                .error_status,
            413);
  EXPECT_EQ(parse_stream(kChunkedHead + "ffffffffffffffffffffffff\r\n").error_status, 413);
  EXPECT_EQ(
      parse_stream(kChunkedHead + "0000000000000064\r\n", std::string::npos, limits).error_status,
      0);
}

TEST(RequestParser, ChunkLinesAndTrailersAreBounded) {
  expect_status_at_every_split(kChunkedHead + "5;" + std::string(9000, 'e') + "\r\n", 400);
  EXPECT_EQ(
      parse_stream(kChunkedHead + "0\r\nX: " + std::string(9000, 't') + "\r\n\r\n").error_status,
      431);
}

TEST(RequestParser, EmptyHostIs400) {
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost:   \r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.0\r\nHost: \r\n\r\n"), 400);
}

TEST(RequestParser, TargetBytesOutsideVisibleAsciiAre400) {
  for (const std::string& target : std::vector<std::string>{
           "/caf\xc3\xa9", "/a\tb", "/\x7f", "/\x80", "/?q=\xff", std::string("/\x00", 2)})
    EXPECT_EQ(status_of("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"), 400) << target;
  EXPECT_EQ(
      parse_stream("GET /caf%C3%A9?a=~!$&'()*+,;=:@ HTTP/1.1\r\nHost: x\r\n\r\n").requests.size(),
      1u);
}

TEST(RequestParser, AnOverlongMethodIs400Not431) {
  EXPECT_EQ(status_of(std::string(33, 'A') + " / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(parse_stream(std::string(32, 'A') + " / HTTP/1.1\r\nHost: x\r\n\r\n").requests.size(),
            1u);
  // Before the head ends, and long past the head limit: still a bad method, not a big head.
  EXPECT_EQ(status_of(std::string(40, 'A')), 400);
  EXPECT_EQ(status_of(std::string(20000, 'A')), 400);
  EXPECT_EQ(parse_stream(std::string(20000, 'A'), 1000).error_status, 400);
}

TEST(HttpDate, IsImfFixdateInGmt) {
  char text[30];
  EXPECT_EQ(http::format_http_date(784111777, text), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http::format_http_date(951782400, text), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(HttpDate, EveryResponseCarriesTheCurrentOne) {
  std::string out;
  http::append_response(out, http::error_response(400, "x"), false, true, 1);
  const auto at = out.find("\r\nDate: ");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string sent = out.substr(at + 8, 29);
  // The cache follows the clock: it matches a fresh formatting of a nearby second.
  char a[30], b[30];
  const std::time_t now = std::time(nullptr);
  EXPECT_TRUE(sent == http::format_http_date(now, a) || sent == http::format_http_date(now - 1, b))
      << sent;
  EXPECT_EQ(http::http_date_now().data(), http::http_date_now().data()) << "formatted once, reused";
}

}  // namespace
