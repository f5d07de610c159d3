#include "table.h"

#include <algorithm>
#include <ctime>

namespace mqgw::ctl {
namespace {

using json = Json;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void flatten(const json& object, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  for (const auto& [key, value] : object.items()) {
    std::string name = prefix + key;
    if (value.is_object() && !value.empty()) flatten(value, name + ".", out);
    else out->emplace_back(name, cellText(value, key));
  }
}

std::string padded(const std::string& text, size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

}  // namespace

const json* lookupPath(const json& object, std::string_view path) {
  const json* at = &object;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return at;
}

std::string formatTimeMs(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::string cellText(const json& value, std::string_view field) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_number_integer() && endsWith(field, "Time")) return formatTimeMs(value.get<int64_t>());
  if (value.is_array() && std::all_of(value.begin(), value.end(),
                                      [](const json& v) { return v.is_primitive(); })) {
    std::string out;
    for (const auto& v : value) out += (out.empty() ? "" : ",") + cellText(v, "");
    return out;
  }
  return value.dump();
}

std::string renderTable(const std::vector<Column>& columns, const json& rows) {
  std::vector<std::vector<std::string>> cells(1);
  for (const auto& c : columns) cells[0].push_back(c.header);
  if (rows.is_array()) {
    for (const auto& row : rows) {
      std::vector<std::string> line;
      for (const auto& c : columns) {
        const json* v = lookupPath(row, c.path);
        std::string text = v ? cellText(*v, c.path) : "";
        line.push_back(text.empty() ? "-" : text);
      }
      cells.push_back(std::move(line));
    }
  }
  std::vector<size_t> widths(columns.size(), 0);
  for (const auto& line : cells)
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i)
      out += i + 1 < line.size() ? padded(line[i], widths[i]) + "  " : line[i];
    out += '\n';
  }
  return out;
}

std::string renderKeyValues(const json& object) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (object.is_object()) flatten(object, "", &fields);
  size_t width = 0;
  for (const auto& f : fields) width = std::max(width, f.first.size() + 1);
  std::string out;
  for (const auto& [key, value] : fields) {
    std::string line = padded(key + ":", width) + " " + value;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace mqgw::ctl
