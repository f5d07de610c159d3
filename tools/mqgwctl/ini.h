// The credentials file's INI dialect: "[profile]" sections of "key = value" lines; blank lines and
// lines starting with '#' or ';' are ignored. Rewriting keeps sections and keys in their order
// (comments are not kept).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mqgw::ctl {

struct IniSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;

  const std::string* find(std::string_view key) const;
  void set(const std::string& key, const std::string& value);
};

struct IniFile {
  std::vector<IniSection> sections;

  const IniSection* find(std::string_view name) const;
  IniSection& upsert(const std::string& name);
};

// False with "line N: ..." in `error` on a line that is neither a section, a key = value pair, a
// comment nor blank, and on a key outside any section.
bool parseIni(std::string_view text, IniFile* out, std::string* error);
std::string formatIni(const IniFile& file);

}  // namespace mqgw::ctl
