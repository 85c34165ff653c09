// The embedded schema is read once, on first use. It was checked when it was embedded (the
// unit tests parse it), so a schema that does not parse is a broken build: the harness stops
// with a message rather than write files no reader expects.
#include "experiment/results_schema.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "experiment/json_value.hpp"

namespace bench::schema {

namespace {

struct Layout {
  int version = 0;
  std::vector<std::string> file_names;
  std::map<std::string, std::vector<Column>, std::less<>> files;
  std::map<std::string, std::vector<std::string>, std::less<>> groups;
};

[[noreturn]] void broken(const std::string& why) {
  std::fprintf(stderr, "offload-bench: the embedded results schema is broken: %s\n", why.c_str());
  std::abort();
}

Layout load() {
  std::string error;
  const auto doc = json::parse(json_text(), &error);
  if (!doc) broken(error);
  Layout layout;
  const json::Value* version = doc->get("version");
  const json::Value* groups = doc->get("groups");
  const json::Value* files = doc->get("files");
  if (!version || !groups || !files) broken("no version, groups or files");
  layout.version = static_cast<int>(version->number);
  std::map<std::string, std::vector<Column>> by_group;
  for (const auto& [name, g] : groups->members) {
    const json::Value* cols = g.get("columns");
    if (!cols) broken("group " + name + " has no columns");
    for (const auto& c : cols->items) {
      Column col;
      const json::Value* n = c.get("name");
      const json::Value* t = c.get("type");
      if (!n || !t) broken("a column of " + name + " has no name or type");
      col.name = n->text;
      col.type = t->text;
      if (const auto* e = c.get("empty")) col.empty = e->boolean;
      if (const auto* s = c.get("since")) col.since = static_cast<int>(s->number);
      by_group[name].push_back(col);
      layout.groups[name].push_back(col.name);
    }
  }
  for (const auto& f : files->items) {
    const json::Value* n = f.get("name");
    const json::Value* gs = f.get("groups");
    if (!n || !gs) broken("a file has no name or groups");
    layout.file_names.push_back(n->text);
    auto& cols = layout.files[n->text];
    for (const auto& g : gs->items) {
      const auto it = by_group.find(g.text);
      if (it == by_group.end()) broken(n->text + " names no group " + g.text);
      cols.insert(cols.end(), it->second.begin(), it->second.end());
    }
  }
  return layout;
}

const Layout& layout() {
  static const Layout loaded = load();
  return loaded;
}

}  // namespace

int version() {
  return layout().version;
}

std::vector<std::string> files() {
  return layout().file_names;
}

const std::vector<Column>& columns(std::string_view file) {
  static const std::vector<Column> none;
  const auto it = layout().files.find(file);
  return it == layout().files.end() ? none : it->second;
}

std::string header(std::string_view file) {
  std::string out;
  for (const auto& c : columns(file)) out += (out.empty() ? "" : ",") + c.name;
  return out;
}

std::vector<std::string> group(std::string_view name) {
  const auto it = layout().groups.find(name);
  return it == layout().groups.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace bench::schema
