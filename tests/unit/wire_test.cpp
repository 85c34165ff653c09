// The process pool's wire format: round trips, split and merged frames, and the frames a
// broken or hostile peer could send.
#include <gtest/gtest.h>

#include "wire.hpp"

namespace {

wire::FrameReader::Status next(wire::FrameReader& reader, std::string_view& payload) {
  return reader.next(payload);
}

TEST(Wire, JobRoundTripKeepsTheWorkloadAndItsOpaqueBytes) {
  const std::string params("\x1e\0\0\0\xff", 5);  // any bytes: the wire does not read them
  wire::JobMessage in{42, "fib", params};
  const std::string bytes = wire::encode(in);
  wire::FrameReader reader;
  reader.feed(bytes.data(), bytes.size());
  std::string_view payload;
  ASSERT_EQ(next(reader, payload), wire::FrameReader::Status::frame);
  wire::JobMessage out;
  ASSERT_TRUE(wire::decode(payload, out));
  EXPECT_EQ(out.id, 42u);
  EXPECT_EQ(out.workload, "fib");
  EXPECT_EQ(out.params, params);
  EXPECT_EQ(next(reader, payload), wire::FrameReader::Status::need_more);
}

TEST(Wire, JobWithEmptyParamsRoundTripsAndOneWithoutAWorkloadIsRejected) {
  const std::string bytes = wire::encode(wire::JobMessage{9, "echo", ""});
  wire::JobMessage out;
  ASSERT_TRUE(wire::decode(std::string_view(bytes).substr(4), out));
  EXPECT_EQ(out.workload, "echo");
  EXPECT_EQ(out.params, "");
  // type, id, a workload name of length 0.
  std::string nameless(1, '\x01');
  nameless.append(8, '\0');
  nameless.push_back('\0');
  EXPECT_FALSE(wire::decode(nameless, out));
  // A name longer than the bytes that follow.
  std::string cut = std::string(std::string_view(bytes).substr(4, 1 + 8)) +
                    "\x09"
                    "echo";
  EXPECT_FALSE(wire::decode(cut, out));
}

TEST(Wire, ResultRoundTripKeepsEveryByte) {
  wire::ResultMessage in{7, {false, std::string("reason with \0 and \n", 19), 123456, 789}};
  const std::string bytes = wire::encode(in);
  wire::FrameReader reader;
  reader.feed(bytes.data(), bytes.size());
  std::string_view payload;
  ASSERT_EQ(next(reader, payload), wire::FrameReader::Status::frame);
  wire::ResultMessage out;
  ASSERT_TRUE(wire::decode(payload, out));
  EXPECT_EQ(out.id, 7u);
  EXPECT_FALSE(out.result.ok);
  EXPECT_EQ(out.result.text, in.result.text);
  EXPECT_EQ(out.result.run_us, 123456u);
  EXPECT_EQ(out.result.engine_us, 789u);
}

TEST(Wire, ResultCarriesTheWorkersWaitAndServiceDurations) {
  wire::ResultMessage in{3, {true, "answer is >>> 1\n", 5, 0}};
  in.wait_ns = 1'234;
  in.service_ns = (std::uint64_t{1} << 40) + 7;  // every byte of the field matters
  const std::string bytes = wire::encode(in);
  wire::ResultMessage out;
  ASSERT_TRUE(wire::decode(std::string_view(bytes).substr(4), out));
  EXPECT_EQ(out.wait_ns, 1'234u);
  EXPECT_EQ(out.service_ns, (std::uint64_t{1} << 40) + 7);
  EXPECT_EQ(out.result.run_us, 5u);
  EXPECT_EQ(out.result.text, in.result.text);
}

TEST(Wire, ResultWithoutTheDurationsIsRejected) {
  // The layout before the durations: type id ok run_us engine_us text_len text.
  std::string p;
  p.push_back(2);
  p.append(8, '\0');   // id
  p.push_back(1);      // ok
  p.append(16, '\0');  // run_us, engine_us
  p.append("\x01\0\0\0x", 5);
  wire::ResultMessage out;
  EXPECT_FALSE(wire::decode(p, out));
}

TEST(Wire, FramesSplitByteByByteAndMergedAreRecovered) {
  std::string stream;
  for (std::uint64_t id = 1; id <= 3; ++id)
    stream += wire::encode(wire::ResultMessage{id, {true, "answer is >>> 1\n", id}});
  wire::FrameReader reader;
  std::vector<std::uint64_t> ids;
  for (char c : stream) {
    reader.feed(&c, 1);
    std::string_view payload;
    while (next(reader, payload) == wire::FrameReader::Status::frame) {
      wire::ResultMessage m;
      ASSERT_TRUE(wire::decode(payload, m));
      ids.push_back(m.id);
    }
  }
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(Wire, TruncatedFrameWaitsAndATruncatedPayloadIsRejected) {
  const std::string bytes = wire::encode(wire::ResultMessage{1, {true, "answer is >>> 1\n", 3}});
  wire::FrameReader reader;
  reader.feed(bytes.data(), bytes.size() - 1);
  std::string_view payload;
  EXPECT_EQ(next(reader, payload), wire::FrameReader::Status::need_more);
  EXPECT_EQ(reader.buffered(), bytes.size() - 1);

  // A frame whose length covers fewer bytes than a result needs: well framed but short.
  std::string shortened = bytes.substr(4, bytes.size() - 4 - 2);
  wire::ResultMessage out;
  EXPECT_FALSE(wire::decode(shortened, out));
  // And one with trailing garbage.
  std::string longer = bytes.substr(4) + "x";
  EXPECT_FALSE(wire::decode(longer, out));
  // A job's parameters run to the end of its frame, so its truncation is the workload's to
  // catch (workload_test.cpp); the job's own fields cannot be cut.
  const std::string job = wire::encode(wire::JobMessage{1, "fib", "abcd"});
  wire::JobMessage j;
  EXPECT_FALSE(wire::decode(std::string_view(job).substr(4, 1 + 8), j));
}

TEST(Wire, OversizedAndEmptyFramesAreErrors) {
  for (std::uint32_t len : {0u, static_cast<std::uint32_t>(wire::kMaxFrame + 1), 0xffffffffu}) {
    std::string header(4, '\0');
    for (int i = 0; i < 4; ++i) header[i] = static_cast<char>((len >> (8 * i)) & 0xff);
    wire::FrameReader reader;
    reader.feed(header.data(), header.size());
    std::string_view payload;
    EXPECT_EQ(next(reader, payload), wire::FrameReader::Status::error) << len;
    EXPECT_FALSE(reader.error().empty());
    // Once broken, always broken: the stream cannot be resynchronised.
    EXPECT_EQ(next(reader, payload), wire::FrameReader::Status::error);
  }
}

TEST(Wire, MessagesOfTheOtherTypeAreRejected) {
  const std::string job = wire::encode(wire::JobMessage{1, "fib", "abcd"});
  wire::ResultMessage result;
  EXPECT_FALSE(wire::decode(std::string_view(job).substr(4), result));
  const std::string res = wire::encode(wire::ResultMessage{1, {true, "x", 0}});
  wire::JobMessage j;
  EXPECT_FALSE(wire::decode(std::string_view(res).substr(4), j));
}

TEST(Wire, OverlongResultTextIsCutToAValidFrame) {
  wire::ResultMessage in{1, {false, std::string(wire::kMaxFrame * 2, 'x'), 0}};
  const std::string bytes = wire::encode(in);
  wire::FrameReader reader;
  reader.feed(bytes.data(), bytes.size());
  std::string_view payload;
  ASSERT_EQ(next(reader, payload), wire::FrameReader::Status::frame);
  wire::ResultMessage out;
  ASSERT_TRUE(wire::decode(payload, out));
  EXPECT_LT(out.result.text.size(), wire::kMaxFrame);
}

}  // namespace
