#include "ini.h"

namespace mqgw::ctl {
namespace {

std::string_view trim(std::string_view s) {
  const char* kSpace = " \t\r";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

}  // namespace

const std::string* IniSection::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

void IniSection::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = value;
      return;
    }
  }
  entries.emplace_back(key, value);
}

const IniSection* IniFile::find(std::string_view name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

IniSection& IniFile::upsert(const std::string& name) {
  for (auto& s : sections)
    if (s.name == name) return s;
  sections.push_back(IniSection{name, {}});
  return sections.back();
}

bool parseIni(std::string_view text, IniFile* out, std::string* error) {
  IniFile file;
  std::string current;  // the section being read; sections may repeat, so look it up by name
  size_t lineNo = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineNo;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto fail = [&](const std::string& why) {
      *error = "line " + std::to_string(lineNo) + ": " + why;
      return false;
    };
    if (line.front() == '[') {
      std::string_view name = line.back() == ']' ? trim(line.substr(1, line.size() - 2)) : "";
      if (name.empty()) return fail("bad section header '" + std::string(line) + "'");
      current = std::string(name);
      file.upsert(current);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return fail("expected 'key = value'");
    std::string_view key = trim(line.substr(0, eq));
    if (key.empty()) return fail("empty key");
    if (current.empty()) return fail("'" + std::string(key) + "' outside a [profile] section");
    file.upsert(current).set(std::string(key), std::string(trim(line.substr(eq + 1))));
  }
  *out = std::move(file);
  return true;
}

std::string formatIni(const IniFile& file) {
  std::string out;
  for (const auto& section : file.sections) {
    if (!out.empty()) out += '\n';
    out += "[" + section.name + "]\n";
    for (const auto& [k, v] : section.entries) out += k + " = " + v + "\n";
  }
  return out;
}

}  // namespace mqgw::ctl
