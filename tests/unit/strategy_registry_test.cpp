// The strategy registry: one entry per strategy with a unique name, knobs that are real server
// flags, and --list-strategies' JSON in the exact shape scripts parse.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "config.hpp"
#include "strategy_registry.hpp"

namespace {

// Just enough JSON to check the registry's output: objects (keys kept in order), arrays,
// strings with escapes, true and false. Anything else, or trailing bytes, throws.
struct Json {
  enum class Type { object, array, string, boolean } type = Type::string;
  std::vector<std::pair<std::string, Json>> members;
  std::vector<Json> items;
  std::string text;
  bool value = false;
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view in) : in_(in) {}
  Json document() {
    Json j = value();
    if (pos_ != in_.size()) fail("trailing bytes");
    return j;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(why + " at byte " + std::to_string(pos_));
  }
  char peek() const { return pos_ < in_.size() ? in_[pos_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool word(std::string_view w) {
    if (in_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  Json value() {
    Json j;
    if (peek() == '{') {
      j.type = Json::Type::object;
      expect('{');
      while (peek() != '}') {
        if (!j.members.empty()) expect(',');
        std::string key = string();
        expect(':');
        j.members.emplace_back(std::move(key), value());
      }
      expect('}');
    } else if (peek() == '[') {
      j.type = Json::Type::array;
      expect('[');
      while (peek() != ']') {
        if (!j.items.empty()) expect(',');
        j.items.push_back(value());
      }
      expect(']');
    } else if (peek() == '"') {
      j.type = Json::Type::string;
      j.text = string();
    } else if (word("true")) {
      j.type = Json::Type::boolean;
      j.value = true;
    } else if (word("false")) {
      j.type = Json::Type::boolean;
    } else {
      fail("not a value");
    }
    return j;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (peek() != '"') {
      if (pos_ >= in_.size() || static_cast<unsigned char>(peek()) < 0x20) fail("bad string");
      if (peek() == '\\') {
        ++pos_;
        if (peek() != '"' && peek() != '\\') fail("unexpected escape");
      }
      out += in_[pos_++];
    }
    expect('"');
    return out;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

TEST(StrategyRegistry, NamesAreUniqueAndEveryEntryIsComplete) {
  std::set<std::string> names;
  for (const auto& s : offload::strategies()) {
    EXPECT_TRUE(names.insert(s.name).second) << "two strategies named " << s.name;
    EXPECT_FALSE(s.name.empty());
    EXPECT_EQ(s.name.find_first_of(" ,|\"\\"), std::string::npos) << s.name;
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_EQ(s.description.find('\n'), std::string::npos) << "one line: " << s.name;
    EXPECT_NE(s.make, nullptr) << s.name;
    EXPECT_EQ(offload::find_strategy(s.name), &s);
    EXPECT_EQ(std::set<std::string>(s.knobs.begin(), s.knobs.end()).size(), s.knobs.size())
        << "a knob named twice: " << s.name;
  }
  EXPECT_EQ(offload::strategy_names().size(), offload::strategies().size());
  EXPECT_EQ(offload::find_strategy("fork"), nullptr);
}

TEST(StrategyRegistry, EveryKnobIsAFlagOfTheServer) {
  std::set<std::string> flags;
  for (const auto& f : app::flags()) flags.insert(f.flag);
  for (const auto& s : offload::strategies())
    for (const auto& knob : s.knobs)
      EXPECT_TRUE(flags.count("--" + knob)) << s.name << " names --" << knob << ", no such flag";
}

TEST(StrategyRegistry, ALoopStrategyHasOneWorkerAndOthersTheirOwnCount) {
  for (const auto& s : offload::strategies())
    EXPECT_EQ(s.workers(7), s.runs_on_loop() ? 1u : 7u) << s.name;
}

TEST(StrategyRegistry, FiltersKeepTheTableOrder) {
  const auto all = offload::strategy_names();
  const auto with_queue =
      offload::strategy_names([](const offload::Strategy& s) { return s.has_knob("max-queue"); });
  std::size_t at = 0;
  for (const auto& name : with_queue) {
    while (at < all.size() && all[at] != name) ++at;
    EXPECT_LT(at, all.size()) << name << " out of order";
    EXPECT_TRUE(offload::find_strategy(name)->has_knob("max-queue"));
  }
  EXPECT_TRUE(offload::strategy_names([](const offload::Strategy&) { return false; }).empty());
}

// The exact shape another program parses: one line, {"strategies":[{name, description,
// workload_in_server, needs_async_workload, knobs}, ...]} in the table's order, keys in that
// order.
TEST(StrategyRegistry, ListAsJsonParsesAndHasTheExactShape) {
  const std::string text = offload::strategies_json();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  Json root;
  ASSERT_NO_THROW(root = JsonReader(text).document()) << text;
  ASSERT_EQ(root.type, Json::Type::object);
  ASSERT_EQ(root.members.size(), 1u);
  EXPECT_EQ(root.members[0].first, "strategies");
  const Json& list = root.members[0].second;
  ASSERT_EQ(list.type, Json::Type::array);
  ASSERT_EQ(list.items.size(), offload::strategies().size());
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const offload::Strategy& s = offload::strategies()[i];
    const Json& entry = list.items[i];
    ASSERT_EQ(entry.type, Json::Type::object);
    ASSERT_EQ(entry.members.size(), 5u) << s.name;
    EXPECT_EQ(entry.members[0].first, "name");
    EXPECT_EQ(entry.members[0].second.text, s.name);
    EXPECT_EQ(entry.members[1].first, "description");
    EXPECT_EQ(entry.members[1].second.text, s.description);
    EXPECT_EQ(entry.members[2].first, "workload_in_server");
    EXPECT_EQ(entry.members[2].second.type, Json::Type::boolean);
    EXPECT_EQ(entry.members[2].second.value, s.workload_in_server) << s.name;
    EXPECT_EQ(entry.members[3].first, "needs_async_workload");
    EXPECT_EQ(entry.members[3].second.type, Json::Type::boolean);
    EXPECT_EQ(entry.members[3].second.value, s.needs_async_workload) << s.name;
    EXPECT_EQ(entry.members[4].first, "knobs");
    ASSERT_EQ(entry.members[4].second.type, Json::Type::array);
    std::vector<std::string> knobs;
    for (const auto& k : entry.members[4].second.items) knobs.push_back(k.text);
    EXPECT_EQ(knobs, s.knobs) << s.name;
  }
}

TEST(StrategyRegistry, ListAsTextNamesEveryStrategyAndItsKnobs) {
  const std::string text = offload::strategies_text();
  for (const auto& s : offload::strategies()) {
    EXPECT_NE(text.find(s.name + " "), std::string::npos) << s.name;
    EXPECT_NE(text.find(s.description), std::string::npos) << s.name;
    for (const auto& knob : s.knobs) EXPECT_NE(text.find("--" + knob), std::string::npos);
  }
}

}  // namespace
