// Texts are wrapped at spaces only, so a value like "0-3,6" or "[WORKER_CPUS]" is never cut.
#include "flag_help.hpp"

namespace flags {

namespace {

// `text`'s words on lines that fit in `room` columns (at least one word a line).
std::vector<std::string> wrap(const std::string& text, std::size_t room) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto space = text.find(' ', at);
    const std::string word = text.substr(at, space == std::string::npos ? text.npos : space - at);
    at = space == std::string::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > room) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  lines.push_back(line);
  return lines;
}

}  // namespace

std::string help_table(const std::vector<HelpRow>& rows, const HelpLayout& layout) {
  const std::string margin(layout.column, ' ');
  const std::size_t room = layout.width > layout.column + 20 ? layout.width - layout.column : 0;
  std::string out;
  for (const auto& row : rows) {
    std::string left = std::string(layout.indent, ' ') + row.left;
    // At least one space between a flag and its text; past the column, a line of its own.
    if (left.size() < layout.column)
      left.resize(layout.column, ' ');
    else
      left += "\n" + margin;
    std::string text = row.text;
    if (!row.env.empty()) text += " [" + row.env + "]";
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at <= text.size()) {
      const auto nl = text.find('\n', at);
      const std::string para = text.substr(at, nl == std::string::npos ? text.npos : nl - at);
      at = nl == std::string::npos ? text.size() + 1 : nl + 1;
      if (room == 0) {
        lines.push_back(para);
      } else {
        for (auto& l : wrap(para, room)) lines.push_back(std::move(l));
      }
    }
    out += left;
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i > 0 ? margin : "") + lines[i] + "\n";
  }
  return out;
}

}  // namespace flags
