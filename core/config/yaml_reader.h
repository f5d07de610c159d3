// Internal: typed reads from yaml-cpp nodes that record the first error with its position.
// Every read returns false after recording an error; callers just `return false` upwards.
// Only const access: yaml-cpp's non-const operator[] would insert keys into the document.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace mqgw::config::detail {

struct Pos {
  int line = 0, col = 0;  // 1-based; 0 = unknown
};
Pos posOf(const YAML::Node& n);  // 0,0 for an undefined node

std::string child(const std::string& path, std::string_view key);  // "a" + "b" → "a.b"
std::string indexed(const std::string& path, size_t i);             // "a" + 2 → "a[2]"
std::string formatSize(uint64_t bytes);    // 1024 → "1KiB", 17 → "17B"
std::string formatDuration(uint64_t ms);   // 600000 → "10m", 1500 → "1500ms"
bool validName(std::string_view s);        // [A-Za-z0-9_-]+

class Reader {
 public:
  Reader(std::string file, std::string dir) : file_(std::move(file)), dir_(std::move(dir)) {}

  const std::string& file() const { return file_; }
  const std::string& dir() const { return dir_; }
  std::optional<Error> takeError() { return std::move(error_); }

  bool fail(Pos at, const std::string& path, std::string what);
  bool fail(const YAML::Node& at, const std::string& path, std::string what) {
    return fail(posOf(at), path, std::move(what));
  }
  bool unknownKey(const YAML::Node& key, const std::string& path, const char* known);

  // A mapping (a null value counts as an empty one); fn(key, keyNode, value) per entry, in
  // document order. Fails on non-scalar or duplicate keys.
  using EntryFn = std::function<bool(const std::string&, const YAML::Node&, const YAML::Node&)>;
  bool forEachEntry(const YAML::Node& map, const std::string& path, const EntryFn& fn);

  bool scalar(const YAML::Node& n, const std::string& path, const char* expected,
              std::string* out);
  bool readUint(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                uint64_t* out);
  bool readSize(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                uint64_t* out);
  bool readDuration(const YAML::Node& n, const std::string& path, uint64_t bareUnitMs,
                    uint64_t minMs, uint64_t maxMs, uint64_t* outMs);
  bool readName(const YAML::Node& n, const std::string& path, std::string* out);
  bool readIpLiteral(const YAML::Node& n, const std::string& path, std::string* out);
  bool readStringList(const YAML::Node& n, const std::string& path,
                      std::vector<std::string>* out);
  // A path relative to dir(); normalized and absolute when dir() is.
  std::string resolvePath(const std::string& p) const;

 private:
  std::string file_, dir_;
  std::optional<Error> error_;
};

}  // namespace mqgw::config::detail
