// The run id is UTC time to the second; a second run in the same second gets "-2", "-3"...
// so two runs never share a folder. `latest` is replaced with rename(2), which is atomic:
// a reader never finds it missing.
#include "experiment/results_folder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "experiment/results_schema.hpp"

namespace bench {

namespace {

std::FILE* open_csv(const std::string& path, const std::string& header) {
  std::FILE* f = std::fopen(path.c_str(), "we");  // e: close-on-exec, servers must not inherit it
  if (f != nullptr) {
    std::fputs((header + "\n").c_str(), f);
    std::fflush(f);
  }
  return f;
}

}  // namespace

std::string make_dirs(const std::string& path) {
  std::string partial;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
        return "cannot create " + partial + ": " + std::strerror(errno);
    }
    if (i < path.size()) partial += path[i];
  }
  return {};
}

std::string ResultsFolder::create(const std::string& parent, const std::string& label) {
  if (std::string err = make_dirs(parent); !err.empty()) return err;
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const std::string base = std::string(stamp) + (label.empty() ? "" : "-" + label);
  for (int n = 1;; ++n) {
    run_id_ = n == 1 ? base : base + "-" + std::to_string(n);
    path_ = parent + "/" + run_id_;
    if (mkdir(path_.c_str(), 0755) == 0) break;
    if (errno != EEXIST || n > 100) return "cannot create " + path_ + ": " + std::strerror(errno);
  }
  if (std::string err = make_dirs(path_ + "/logs"); !err.empty()) return err;
  if (std::string err = make_dirs(path_ + "/hgrm"); !err.empty()) return err;

  summary_ = open_csv(path_ + "/summary.csv", schema::header("summary.csv"));
  series_ = open_csv(path_ + "/series.csv", schema::header("series.csv"));
  resources_ = open_csv(path_ + "/resources.csv", schema::header("resources.csv"));
  metrics_ = open_csv(path_ + "/metrics.csv", schema::header("metrics.csv"));
  if (!summary_ || !series_ || !resources_ || !metrics_)
    return "cannot write in " + path_ + ": " + std::strerror(errno);

  const std::string link = parent + "/latest";
  const std::string temporary = parent + "/.latest-" + std::to_string(getpid());
  unlink(temporary.c_str());
  if (symlink(run_id_.c_str(), temporary.c_str()) != 0 ||
      rename(temporary.c_str(), link.c_str()) != 0) {
    unlink(temporary.c_str());
    return "cannot point " + link + " at " + run_id_ + ": " + std::strerror(errno);
  }
  return {};
}

ResultsFolder::~ResultsFolder() {
  for (std::FILE* f : {summary_, series_, resources_, metrics_})
    if (f != nullptr) std::fclose(f);
}

void ResultsFolder::append(std::FILE* f, const std::string& row) {
  if (f != nullptr) std::fputs(row.c_str(), f);
}

void ResultsFolder::flush() {
  for (std::FILE* f : {summary_, series_, resources_, metrics_})
    if (f != nullptr) std::fflush(f);
}

bool ResultsFolder::rewrite_summary(const std::string& rows) {
  if (!write_file("summary.csv", schema::header("summary.csv") + "\n" + rows)) return false;
  if (summary_ != nullptr) std::fclose(summary_);
  summary_ = std::fopen((path_ + "/summary.csv").c_str(), "ae");
  return summary_ != nullptr;
}

bool ResultsFolder::write_file(const std::string& name, const std::string& content) const {
  const std::string final_path = path_ + "/" + name;
  const std::string temporary = final_path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), final_path.c_str()) == 0;
}

}  // namespace bench
