// The progress line's two modes, on a clock the test drives (no sleeping): on a terminal each
// update rewrites the line in place; on a pipe a plain line at most every `log_every_s`. And
// its live figures: each stream's rate over the last second, the probe's p99 (its max when
// too few answers), starting afresh with each phase.
#include <gtest/gtest.h>

#include <uv.h>

#include <cstdio>
#include <cstdlib>

#include "cli/live_figures.hpp"
#include "cli/progress.hpp"

namespace {

// A FILE* writing into memory, and the text written so far.
class Captured {
 public:
  Captured() : file_(open_memstream(&data_, &size_)) {}
  ~Captured() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() const { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ProgressTest, PipedWritesAPlainLineAtMostEveryInterval) {
  Captured out;
  std::uint64_t now = 0;
  bench::ProgressOptions o;
  o.out = out.file();
  o.tty = false;
  o.log_every_s = 0.5;
  o.now = [&] { return now; };
  bench::Progress progress(o);
  // Updates every 100 ms for 2.05 s: lines at 0, 0.5, 1.0, 1.5 and 2.0 s only.
  std::vector<std::uint64_t> shown;
  for (int i = 0; i <= 20; ++i) {
    now = static_cast<std::uint64_t>(i) * 100'000'000 + 50'000'000 * (i == 20);
    const std::size_t before = count(out.text(), "\n");
    progress.show("state " + std::to_string(i));
    if (count(out.text(), "\n") > before) shown.push_back(now);
  }
  const std::string text = out.text();
  EXPECT_EQ(text, "state 0\nstate 5\nstate 10\nstate 15\nstate 20\n");
  for (std::size_t i = 1; i < shown.size(); ++i) EXPECT_GE(shown[i] - shown[i - 1], 500'000'000u);
  EXPECT_EQ(count(text, "\r"), 0u);  // a log gets no control characters
  progress.clear();
  EXPECT_EQ(out.text(), text);
}

TEST(ProgressTest, OnATerminalEveryUpdateRewritesTheLine) {
  Captured out;
  bench::ProgressOptions o;
  o.out = out.file();
  o.tty = true;
  o.now = [] { return std::uint64_t{0}; };  // a frozen clock: the terminal is not throttled
  bench::Progress progress(o);
  EXPECT_TRUE(progress.terminal());
  progress.show("one");
  progress.show("two");
  EXPECT_EQ(out.text(), "\rone\033[K\rtwo\033[K");
  progress.note("a note stays");
  EXPECT_EQ(out.text(), "\rone\033[K\rtwo\033[K\r\033[Ka note stays\n");
  progress.show("three");
  progress.clear();
  EXPECT_EQ(count(out.text(), "\n"), 1u);
  EXPECT_NE(out.text().rfind("\r\033[K"), std::string::npos);
}

TEST(ProgressTest, DisabledWritesNothing) {
  Captured out;
  bench::ProgressOptions o;
  o.enabled = false;
  o.out = out.file();
  o.tty = false;
  bench::Progress progress(o);
  progress.show("x");
  progress.note("y");
  EXPECT_EQ(out.text(), "");
}

// A 500 ms window: `completed` answers per stream, of `ms` each.
bench::PhaseWindow window(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& streams) {
  bench::PhaseWindow w;
  w.length_ns = 500'000'000;
  for (const auto& [completed, micros] : streams) {
    bench::WindowStats s;
    s.completed = completed;
    s.latency.record_n(micros, completed);
    w.streams.push_back(s);
  }
  return w;
}

TEST(LiveFiguresTest, RatesAndTheProbesP99OverTheLastSecond) {
  bench::LiveFigures live(1.0);
  live.reset({{"heavy", false}, {"probe", true}});
  EXPECT_EQ(live.text(), "");
  live.add(window({{1000, 5000}, {100, 90'000}}));  // an old, slow window
  live.add(window({{400, 5000}, {100, 2000}}));
  live.add(window({{500, 5000}, {100, 1000}}));
  // The last two windows: heavy 900 in 1 s, probe 200 in 1 s with p99 in the 2 ms ones.
  EXPECT_EQ(live.text(), "heavy 900/s, probe 200/s p99 2.00ms");
  live.add(window({{50, 5000}, {30, 1000}}));
  live.add(window({{40, 5000}, {20, 3000}}));
  // 50 answers: too few for a p99, so the max shows, named as such.
  EXPECT_EQ(live.text(), "heavy 90.0/s, probe 50.0/s max 3.00ms");
}

class NoListener final : public bench::PhaseListener {
  void phase_window(bench::Phase&, const bench::PhaseWindow&) override {}
  void phase_ended(bench::Phase&) override {}
  void phase_failed(bench::Phase&, const std::string&) override {}
};

TEST(LiveFiguresTest, ProgressAppendsThemAndStartsAfreshWithEachPhase) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    Captured out;
    bench::ProgressOptions o;
    o.out = out.file();
    o.tty = true;
    bench::Progress progress(o);
    progress.show("offload-bench: 1 s");
    EXPECT_EQ(out.text(), "\roffload-bench: 1 s\033[K");  // no window yet: nothing to add

    bench::StreamSpec heavy, probe;
    heavy.name = "heavy";
    probe.name = "main";
    probe.path = "/hi";  // the probe by its path
    NoListener listener;
    bench::Phase first(&loop, bench::Target{}, {heavy, probe}, {}, listener);
    progress.window(first, window({{10, 5000}, {150, 1500}}));
    progress.show("offload-bench: 2 s");
    EXPECT_NE(out.text().find("offload-bench: 2 s | last 1s: heavy 20.0/s, main 300/s p99 1.50ms"),
              std::string::npos)
        << out.text();

    bench::Phase second(&loop, bench::Target{}, {heavy}, {}, listener);
    second.interrupt();  // gives it a start of its own
    progress.window(second, window({{30, 5000}}));
    progress.show("offload-bench: 3 s");
    EXPECT_NE(out.text().find("offload-bench: 3 s | last 1s: heavy 60.0/s\033[K"),
              std::string::npos)
        << out.text();
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
