// validateSection: a plugin's section checked against the schema the plugin declares.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/config.h"
#include "config/units.h"
#include "config/yaml_reader.h"

namespace mqgw::config {
namespace {

using detail::child;
using detail::Pos;
using detail::Reader;

// Guards against hostile YAML: aliases can make a small file a deep or huge (or cyclic) tree.
constexpr int kMaxDepth = 16;
constexpr size_t kMaxLeaves = 4096;
constexpr size_t kMaxVisits = 65536;  // entries walked, empty maps included

struct Leaf {
  std::string key;  // dotted, relative to the section
  YAML::Node keyNode, value;
};

struct Schema {
  const mqgw_config_key* keys;
  size_t n;
  bool isPrefix(size_t i) const { return keys[i].type == MQGW_CFG_PREFIX; }
  // Index of the non-PREFIX key named exactly `k`, or n.
  size_t exact(std::string_view k) const {
    for (size_t i = 0; i < n; ++i)
      if (keys[i].key && !isPrefix(i) && k == keys[i].key) return i;
    return n;
  }
  bool underPrefix(std::string_view k) const {
    for (size_t i = 0; i < n; ++i) {
      if (!keys[i].key || !isPrefix(i)) continue;
      std::string_view p = keys[i].key;
      if (k.size() > p.size() && k.substr(0, p.size()) == p) return true;
    }
    return false;
  }
  std::string known() const {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      if (!keys[i].key) continue;
      out += out.empty() ? "" : ", ";
      out += keys[i].key;
      if (isPrefix(i)) out += "*";
    }
    return out.empty() ? "none: this plugin takes no settings" : out;
  }
};

// Nested maps become dotted keys; a schema key (not a prefix) stops the descent so its value
// gets a proper type error when it is a mapping.
bool flatten(Reader& r, const Schema& schema, const YAML::Node& map, const std::string& prefix,
             const std::string& path, int depth, size_t* visits, std::vector<Leaf>* out) {
  if (depth > kMaxDepth) return r.fail(map, path, "nested too deeply");
  return r.forEachEntry(map, path, [&](const std::string& k, const YAML::Node& key,
                                       const YAML::Node& v) {
    if (++*visits > kMaxVisits) return r.fail(key, child(path, k), "too many keys");
    std::string dotted = prefix.empty() ? k : prefix + "." + k;
    if (v.IsMap() && schema.exact(dotted) == schema.n)
      return flatten(r, schema, v, dotted, child(path, k), depth + 1, visits, out);
    for (const Leaf& l : *out)
      if (l.key == dotted) return r.fail(key, child(path, k), "duplicate key '" + dotted + "'");
    if (out->size() >= kMaxLeaves) return r.fail(key, child(path, k), "too many keys");
    out->push_back({dotted, key, v});
    return true;
  });
}

const char* expected(uint32_t type) {
  switch (type) {
    case MQGW_CFG_BOOL: return "true or false";
    case MQGW_CFG_INT: return "an integer";
    case MQGW_CFG_DOUBLE: return "a number";
    case MQGW_CFG_DURATION_MS: return "a duration";
    case MQGW_CFG_SIZE: return "a size";
    case MQGW_CFG_FILE: return "a file path";
    case MQGW_CFG_DIR: return "a directory path";
    case MQGW_CFG_ENUM: return "one of the allowed words";
    default: return "a string";
  }
}

std::string bound(uint32_t type, double v) {
  if (v >= 0 && v < 1.8e19 && v == static_cast<double>(static_cast<uint64_t>(v))) {
    if (type == MQGW_CFG_SIZE) return detail::formatSize(static_cast<uint64_t>(v));
    if (type == MQGW_CFG_DURATION_MS) return detail::formatDuration(static_cast<uint64_t>(v));
  }
  return formatNumber(v);
}

bool inRange(const mqgw_config_key& k, double v, const std::string& text, std::string* why) {
  if (k.min > k.max || (v >= k.min && v <= k.max)) return true;
  *why = text + " is out of range " + bound(k.type, k.min) + ".." + bound(k.type, k.max);
  return false;
}

bool readableFile(const std::string& p, std::string* why) {
  struct stat st;
  if (stat(p.c_str(), &st) != 0 || access(p.c_str(), R_OK) != 0) {
    *why = "cannot read file '" + p + "': " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = "'" + p + "' is a directory, not a file";
    return false;
  }
  return true;
}

bool oneOf(const char* words, const std::string& text) {
  std::string_view rest = words ? words : "";
  while (true) {
    size_t bar = rest.find('|');
    if (rest.substr(0, bar) == text) return true;
    if (bar == std::string_view::npos) return false;
    rest.remove_prefix(bar + 1);
  }
}

// The text of one value → its normalized text (see config.h), or false with *why.
bool normalize(const Reader& r, const mqgw_config_key& k, const std::string& text,
               std::string* out, std::string* why) {
  switch (k.type) {
    case MQGW_CFG_BOOL: {
      auto b = parseBool(text, why);
      if (b) *out = *b ? "true" : "false";
      return b.has_value();
    }
    case MQGW_CFG_INT: {
      auto v = parseInt(text, why);
      if (!v || !inRange(k, static_cast<double>(*v), text, why)) return false;
      *out = std::to_string(*v);
      return true;
    }
    case MQGW_CFG_DOUBLE: {
      auto v = parseDouble(text, why);
      if (!v || !inRange(k, *v, text, why)) return false;
      *out = text;
      return true;
    }
    case MQGW_CFG_STRING: *out = text; return true;
    case MQGW_CFG_DURATION_MS:
    case MQGW_CFG_SIZE: {
      auto v = k.type == MQGW_CFG_SIZE ? parseSize(text, why) : parseDurationMs(text, 1, why);
      if (!v || !inRange(k, static_cast<double>(*v), text, why)) return false;
      *out = std::to_string(*v);
      return true;
    }
    case MQGW_CFG_FILE:
      if (text.empty()) {
        *why = "expected a file path, got ''";
        return false;
      }
      *out = r.resolvePath(text);
      return readableFile(*out, why);
    case MQGW_CFG_DIR:
      if (text.empty()) {
        *why = "expected a directory path, got ''";
        return false;
      }
      *out = r.resolvePath(text);
      return true;
    case MQGW_CFG_ENUM:
      if (!oneOf(k.enum_values, text)) {
        *why = "'" + text + "' is not one of " + (k.enum_values ? k.enum_values : "");
        return false;
      }
      *out = text;
      return true;
    default:
      *why = "the plugin declares an unknown type " + std::to_string(k.type);
      return false;
  }
}

}  // namespace

namespace {

// Schema keys in schema order: the value given, else the default; missing required keys fail.
bool schemaValues(Reader& r, const Schema& schema, const PluginSection& s, Pos sectionAt,
                  const std::vector<Leaf>& leaves, std::vector<KeyValue>* out) {
  for (size_t i = 0; i < schema.n; ++i) {
    const mqgw_config_key& k = schema.keys[i];
    if (!k.key || schema.isPrefix(i)) continue;
    std::string path = child(s.path, k.key), text, value, why;
    const Leaf* given = nullptr;
    for (const Leaf& l : leaves)
      if (l.key == k.key) given = &l;
    if (given) {
      if (!r.scalar(given->value, path, expected(k.type), &text)) return false;
      if (!normalize(r, k, text, &value, &why)) return r.fail(given->value, path, why);
    } else if (k.required) {
      return r.fail(sectionAt, path, "is required");
    } else if (k.default_value) {
      if (!normalize(r, k, k.default_value, &value, &why))
        return r.fail(sectionAt, path, "the plugin's default is invalid: " + why);
    } else {
      continue;
    }
    out->push_back({k.key, std::move(value)});
  }
  return true;
}

}  // namespace

SectionResult validateSection(const PluginSection& s, const mqgw_config_key* keys, size_t n,
                              const std::string& file) {
  std::string dir = s.dir;  // the loader always sets it; a hand-made section may not
  if (dir.empty() && !file.empty()) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(file, ec);
    dir = ec ? std::filesystem::path(file).parent_path().string() : abs.parent_path().string();
  }
  Reader r(file.empty() ? s.file : file, dir);
  Schema schema{keys, keys ? n : 0};
  Pos sectionAt{s.line, s.col};
  SectionResult result;
  std::vector<Leaf> leaves;
  try {
    if (s.node.IsDefined() && !s.node.IsNull() && !s.node.IsMap()) {
      r.fail(s.node, s.path, "expected a mapping of the plugin's settings");
    } else if (size_t visits = 0; flatten(r, schema, s.node, "", s.path, 0, &visits, &leaves)) {
      bool ok = true;
      for (const Leaf& l : leaves) {
        if (schema.exact(l.key) < schema.n || schema.underPrefix(l.key)) continue;
        ok = r.unknownKey(l.keyNode, child(s.path, l.key), schema.known().c_str());
        break;
      }
      ok = ok && schemaValues(r, schema, s, sectionAt, leaves, &result.values);
      for (const Leaf& l : leaves) {
        if (!ok || schema.exact(l.key) < schema.n) continue;
        std::string text;
        ok = r.scalar(l.value, child(s.path, l.key), "a value", &text);
        if (ok) result.values.push_back({l.key, std::move(text)});
      }
    }
  } catch (const std::exception& e) {
    r.fail(sectionAt, s.path, std::string("cannot read the section: ") + e.what());
  }
  result.error = r.takeError();
  if (result.error) result.values.clear();
  return result;
}

}  // namespace mqgw::config
