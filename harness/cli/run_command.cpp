// One Phase holds all the streams; this file adds the signals, the progress line and the
// outputs: the table, .hgrm files, --json, --csv and the --slo verdict. Closed loops are not
// waited for at the end (like wrk): nothing follows this run.
#include "cli/run_command.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

#include "cli/progress.hpp"
#include "cli/run_recorder.hpp"
#include "cli/run_report.hpp"
#include "experiment/machine.hpp"
#include "experiment/run_folder.hpp"
#include "experiment/run_output.hpp"
#include "load/phase.hpp"
#include "stats/hgrm.hpp"
#include "uv/handles.hpp"

namespace bench {

namespace {

class LoadRun final : public PhaseListener {
 public:
  LoadRun(uv_loop_t* loop, const RunOptions& options)
      : options_(options), progress_(!options.quiet), recorder_(loop, options_) {
    double grace = 0;
    for (const auto& s : options.streams) grace = std::max(grace, s.timeout_s);
    PhaseOptions po;
    po.drain_grace_s = grace;
    po.wait_for_closed_loops = false;
    phase_ = std::make_unique<Phase>(loop, options.target, options.streams, po, *this);
    sigint_.emplace(loop, SIGINT, [this] { interrupt(); });
    sigterm_.emplace(loop, SIGTERM, [this] { interrupt(); });
  }

  void start() {
    started_ = utc_now_iso();
    recorder_.before([this] {
      if (!stopping_ && !ended_) phase_->start();
    });
  }
  int exit_status() const { return status_; }

 private:
  void interrupt() {
    status_ = 130;
    stopping_ = true;
    recorder_.cancel();   // a wait on the server's /metrics ends now
    phase_->interrupt();  // prints what was measured so far
  }

  void phase_window(Phase& p, const PhaseWindow& w) override {
    recorder_.window(p, w);
    progress_.window(p, w);
    const double elapsed = static_cast<double>(uv_hrtime() - p.start_ns()) / 1e9;
    if (elapsed < 2) return;  // short runs need no progress line
    std::string text = "offload-bench: " + std::to_string(static_cast<int>(elapsed)) + " s";
    double eta = -1;
    for (const auto& s : p.streams()) {
      const StreamSpec& spec = s->spec();
      const StreamStats& st = s->stats();
      text += ", " + spec.name + " " + std::to_string(st.count()) + " ok";
      if (st.errors() > 0) text += " " + std::to_string(st.errors()) + " err";
      double left = -1;
      if (spec.duration_s > 0) left = spec.duration_s - elapsed;
      if (spec.calls > 0 && st.count() + st.errors() > 0) {
        const double total = static_cast<double>(spec.calls) * spec.conns;
        const double done = static_cast<double>(st.count() + st.errors());
        const double by_calls = (total - done) * elapsed / done;
        left = left < 0 ? by_calls : std::min(left, by_calls);
      }
      eta = std::max(eta, left);
    }
    if (eta >= 0) text += ", ETA " + format_eta(eta);
    progress_.show(text);
  }

  void phase_ended(Phase& p) override {
    ended_ = true;
    progress_.clear();
    recorder_.after([this, &p] { finish(p); });
  }

  void phase_failed(Phase& p, const std::string& message) override {
    ended_ = true;
    progress_.clear();
    std::fprintf(stderr, "offload-bench: %s\n", message.c_str());
    failure_ = message;
    status_ = 1;
    bool measured = false;
    for (const auto& s : p.streams()) measured = measured || s->stats().requests_sent() > 0;
    if (measured) {
      finish(p);
    } else {
      close_signals();
    }
  }

  // The run's verdict: a failure (1) or Ctrl-C (130) comes before an objective's (3).
  void finish(Phase& p) {
    RunFacts facts = recorder_.facts(p);
    facts.started = started_;
    facts.ended = utc_now_iso();
    facts.status = !failure_.empty() ? "failed" : p.interrupted() ? "interrupted" : "complete";
    facts.message = failure_;
    if (!options_.slos.empty()) {
      facts.slo = check_run_slos(options_.slos, facts.streams);
      if (!facts.slo->pass && status_ == 0) status_ = 3;
    }
    facts.exit_status = status_;

    // With the JSON on stdout, the table goes to stderr: stdout stays one document.
    std::FILE* table = options_.json_path == "-" ? stderr : stdout;
    std::vector<const Stream*> streams;
    for (const auto& s : p.streams()) streams.push_back(s.get());
    std::string text = run_report(streams);
    if (facts.slo) text += slo_report(options_.slos, *facts.slo);
    std::fputs(text.c_str(), table);
    std::fflush(table);
    if (!options_.hgrm_dir.empty()) write_hgrm(streams);
    if (!options_.json_path.empty()) write_json(run_json(facts));
    if (!options_.csv_dir.empty()) {
      if (std::string err = write_run_folder(options_.csv_dir, facts); !err.empty()) {
        std::fprintf(stderr, "offload-bench: --csv: %s\n", err.c_str());
        status_ = 1;
      }
    }
    if (p.interrupted()) std::fprintf(stderr, "offload-bench: interrupted\n");
    close_signals();
  }

  void write_json(const std::string& doc) {
    if (options_.json_path == "-") {
      std::fputs(doc.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    std::ofstream out(options_.json_path, std::ios::trunc);
    out << doc;
    out.flush();
    if (!out) {
      std::fprintf(stderr, "offload-bench: cannot write %s\n", options_.json_path.c_str());
      status_ = 1;
    }
  }

  void write_hgrm(const std::vector<const Stream*>& streams) {
    if (mkdir(options_.hgrm_dir.c_str(), 0755) != 0 && errno != EEXIST) {
      std::fprintf(stderr, "offload-bench: cannot create %s: %s\n", options_.hgrm_dir.c_str(),
                   std::strerror(errno));
      status_ = 1;
      return;
    }
    for (const Stream* s : streams) {
      const std::string path = options_.hgrm_dir + "/" + s->spec().name + ".hgrm";
      std::ofstream out(path);
      out << to_hgrm(s->stats().latency());
      if (!out) {
        std::fprintf(stderr, "offload-bench: cannot write %s\n", path.c_str());
        status_ = 1;
      }
    }
  }

  // Closed, not destroyed: this may run inside a signal callback (or a /metrics answer's).
  void close_signals() {
    if (sigint_) sigint_->close();
    if (sigterm_) sigterm_->close();
    recorder_.close();
  }

  RunOptions options_;
  Progress progress_;
  RunRecorder recorder_;
  std::unique_ptr<Phase> phase_;
  std::optional<uvx::Signal> sigint_, sigterm_;
  std::string started_;
  std::string failure_;
  bool ended_ = false;     // the phase has ended
  bool stopping_ = false;  // Ctrl-C: a phase not started yet never starts
  int status_ = 0;
};

}  // namespace

int run_load(RunOptions options) {
  if (std::string err = resolve(options.target); !err.empty()) {
    std::fprintf(stderr, "offload-bench: %s\n", err.c_str());
    return 1;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  int status = 0;
  {
    LoadRun run(&loop, options);
    run.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    status = run.exit_status();
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // the close callbacks of what the run owned
  if (uv_loop_close(&loop) != 0) std::fprintf(stderr, "offload-bench: a libuv handle leaked\n");
  return status;
}

}  // namespace bench
