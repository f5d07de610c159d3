#include "config/yaml_reader.h"

#include <arpa/inet.h>

#include <filesystem>

#include "config/units.h"

namespace mqgw::config::detail {

Pos posOf(const YAML::Node& n) {
  if (!n.IsDefined()) return {};
  YAML::Mark m = n.Mark();
  if (m.is_null() || m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};
}

std::string child(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

std::string indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string formatSize(uint64_t bytes) {
  static constexpr struct {
    uint64_t n;
    const char* unit;
  } kUnits[] = {{1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& u : kUnits)
    if (bytes >= u.n && bytes % u.n == 0) return std::to_string(bytes / u.n) + u.unit;
  return std::to_string(bytes) + "B";
}

std::string formatDuration(uint64_t ms) {
  static constexpr struct {
    uint64_t n;
    const char* unit;
  } kUnits[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (const auto& u : kUnits)
    if (ms >= u.n && ms % u.n == 0) return std::to_string(ms / u.n) + u.unit;
  return ms == 0 ? "0s" : std::to_string(ms) + "ms";
}

bool validName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool Reader::fail(Pos at, const std::string& path, std::string what) {
  if (!error_) error_ = Error{file_, at.line, at.col, path, std::move(what)};
  return false;
}

bool Reader::unknownKey(const YAML::Node& key, const std::string& path, const char* known) {
  return fail(key, path, std::string("unknown key (expected one of: ") + known + ")");
}

bool Reader::forEachEntry(const YAML::Node& map, const std::string& path, const EntryFn& fn) {
  if (map.IsNull()) return true;
  if (!map.IsMap()) return fail(map, path, "expected a mapping of key: value");
  std::vector<std::string> seen;
  for (const auto& entry : map) {  // the iterator yields temporaries: bind, don't point
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return fail(key, path, "keys must be plain words");
    const std::string& k = key.Scalar();
    for (const std::string& s : seen)
      if (s == k) return fail(key, child(path, k), "duplicate key");
    seen.push_back(k);
    if (!fn(k, key, entry.second)) return false;
  }
  return true;
}

bool Reader::scalar(const YAML::Node& n, const std::string& path, const char* expected,
                    std::string* out) {
  if (n.IsMap()) return fail(n, path, std::string("expected ") + expected + ", got a mapping");
  if (n.IsSequence()) return fail(n, path, std::string("expected ") + expected + ", got a list");
  if (!n.IsScalar()) return fail(n, path, std::string("expected ") + expected + ", got nothing");
  *out = n.Scalar();
  return true;
}

bool Reader::readUint(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                      uint64_t* out) {
  std::string text, why;
  if (!scalar(n, path, "an integer", &text)) return false;
  auto v = parseInt(text, &why);
  if (!v) return fail(n, path, why);
  if (*v < 0 || static_cast<uint64_t>(*v) < min || static_cast<uint64_t>(*v) > max)
    return fail(n, path, text + " is out of range " + std::to_string(min) + ".." +
                             std::to_string(max));
  *out = static_cast<uint64_t>(*v);
  return true;
}

bool Reader::readSize(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                      uint64_t* out) {
  std::string text, why;
  if (!scalar(n, path, "a size", &text)) return false;
  auto v = parseSize(text, &why);
  if (!v) return fail(n, path, why);
  if (*v < min || *v > max)
    return fail(n, path, text + " is out of range " + formatSize(min) + ".." + formatSize(max));
  *out = *v;
  return true;
}

bool Reader::readDuration(const YAML::Node& n, const std::string& path, uint64_t bareUnitMs,
                          uint64_t minMs, uint64_t maxMs, uint64_t* outMs) {
  std::string text, why;
  if (!scalar(n, path, "a duration", &text)) return false;
  auto v = parseDurationMs(text, bareUnitMs, &why);
  if (!v) return fail(n, path, why);
  if (*v < minMs || *v > maxMs)
    return fail(n, path, text + " is out of range " + formatDuration(minMs) + ".." +
                             formatDuration(maxMs));
  *outMs = *v;
  return true;
}

bool Reader::readName(const YAML::Node& n, const std::string& path, std::string* out) {
  if (!scalar(n, path, "a name", out)) return false;
  if (!validName(*out))
    return fail(n, path, "'" + *out + "' is not a valid name (letters, digits, '_' and '-')");
  return true;
}

bool Reader::readIpLiteral(const YAML::Node& n, const std::string& path, std::string* out) {
  if (!scalar(n, path, "an IP address", out)) return false;
  unsigned char buf[16];
  if (inet_pton(AF_INET, out->c_str(), buf) == 1 || inet_pton(AF_INET6, out->c_str(), buf) == 1)
    return true;
  return fail(n, path, "'" + *out + "' is not an IPv4 or IPv6 address");
}

bool Reader::readStringList(const YAML::Node& n, const std::string& path,
                            std::vector<std::string>* out) {
  if (!n.IsSequence()) return fail(n, path, "expected a list like [a, b]");
  for (size_t i = 0; i < n.size(); ++i) {
    std::string s;
    if (!scalar(n[i], indexed(path, i), "a string", &s)) return false;
    out->push_back(std::move(s));
  }
  return true;
}

std::string Reader::resolvePath(const std::string& p) const {
  namespace fs = std::filesystem;
  fs::path path(p);
  if (path.is_relative() && !dir_.empty()) path = fs::path(dir_) / path;
  return path.lexically_normal().string();
}

}  // namespace mqgw::config::detail
