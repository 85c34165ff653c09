// results/<run-id>/ on disk, as harness/RESULTS.md describes it: the folder, the
// results/latest link, the four CSVs (header first, from harness/results_schema.json; rows
// appended and flushed as they are measured, so an interrupted run leaves valid files) and
// meta.json (replaced atomically).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

namespace bench {

// mkdir -p: `path` and the folders above it (0755); "" or the reason.
std::string make_dirs(const std::string& path);

class ResultsFolder {
 public:
  // Creates <parent>/<run-id>/ with logs/ and hgrm/ inside; returns "" or an error line.
  std::string create(const std::string& parent, const std::string& label);
  ~ResultsFolder();

  const std::string& path() const { return path_; }
  const std::string& run_id() const { return run_id_; }

  void summary(const std::string& row) { append(summary_, row); }
  // Replaces summary.csv's rows with `rows` (whole lines), atomically; appends go on after.
  bool rewrite_summary(const std::string& rows);
  void series(const std::string& row) { append(series_, row); }
  void resources(const std::string& row) { append(resources_, row); }
  void metrics(const std::string& row) { append(metrics_, row); }
  void flush();

  // Writes a file inside the folder atomically (temporary file + rename).
  bool write_file(const std::string& name, const std::string& content) const;

 private:
  static void append(std::FILE* f, const std::string& row);
  std::string path_;
  std::string run_id_;
  std::FILE* summary_ = nullptr;
  std::FILE* series_ = nullptr;
  std::FILE* resources_ = nullptr;
  std::FILE* metrics_ = nullptr;
};

}  // namespace bench
