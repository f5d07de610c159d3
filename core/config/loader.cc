// loadFile / loadString: parse the YAML, walk the top level, resolve defaults.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "config/config.h"
#include "config/loader_parts.h"

namespace mqgw::config {

std::string Error::str() const {
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  if (!path.empty()) out += path + ": ";
  return out + what;
}

namespace detail {

bool readStorage(Reader& r, const YAML::Node& n, const std::string& path, Config* out) {
  if (!n.IsMap()) return r.fail(n, path, "expected a mapping with backend: <storage plugin>");
  struct Entry {
    std::string name;
    YAML::Node key, value;
  };
  std::vector<Entry> sections;  // checked once the backend is known, wherever it appears
  bool ok = r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                        const YAML::Node& v) {
    if (k == "backend") return r.readName(v, child(path, k), &out->storageBackend);
    sections.push_back({k, key, v});
    return true;
  });
  if (!ok) return false;
  Pos at = posOf(n);
  if (out->storageBackend.empty())
    return r.fail(at, child(path, "backend"), "is required (a storage plugin name, e.g. memory)");
  PluginSection& s = out->storageSection;
  s = {out->storageBackend, YAML::Node(), child(path, out->storageBackend), r.file(), r.dir(),
       at.line, at.col};
  for (const Entry& e : sections) {
    if (e.name != out->storageBackend)
      return r.fail(e.key, child(path, e.name),
                    "'" + e.name + "' is not the storage backend ('" + out->storageBackend + "')");
    s.node = e.value;
    Pos sectionAt = posOf(e.value);
    if (sectionAt.line > 0) s.line = sectionAt.line, s.col = sectionAt.col;
  }
  return true;
}

namespace {

// `auth: {<plugin>: {settings}}`: one section per enabled auth plugin, checked once it is loaded.
bool readAuth(Reader& r, const YAML::Node& n, const std::string& path, Config* out) {
  if (!n.IsNull() && !n.IsMap())
    return r.fail(n, path, "expected a mapping of <auth plugin>: {settings}");
  return r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                     const YAML::Node& v) {
    std::string name;
    if (!r.readName(key, child(path, k), &name)) return false;
    Pos at = v.IsNull() || posOf(v).line == 0 ? posOf(key) : posOf(v);  // `name:` alone
    out->authSections.push_back({name, v, child(path, name), r.file(), r.dir(), at.line, at.col});
    return true;
  });
}

bool readLog(Reader& r, const YAML::Node& n, const std::string& path, Config* out) {
  return r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                     const YAML::Node& v) {
    std::string p = child(path, k);
    if (k != "level") return r.unknownKey(key, p, "level");
    if (!r.scalar(v, p, "a log level", &out->logLevel)) return false;
    for (const char* level : {"trace", "debug", "info", "warn", "error"})
      if (out->logLevel == level) return true;
    return r.fail(v, p, "'" + out->logLevel + "' is not one of trace|debug|info|warn|error");
  });
}

bool readAdmin(Reader& r, const YAML::Node& n, const std::string& path, Config* out) {
  Admin& a = out->admin.emplace();
  return r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                     const YAML::Node& v) {
    std::string p = child(path, k);
    uint64_t port = 0;
    if (k == "bind") return r.readIpLiteral(v, p, &a.bind);
    if (k != "port") return r.unknownKey(key, p, "bind, port");
    if (!r.readUint(v, p, 0, 65535, &port)) return false;
    a.port = static_cast<uint16_t>(port);
    return true;
  });
}

bool readPlugins(Reader& r, const YAML::Node& n, const std::string& path, Config* out) {
  if (!r.readStringList(n, path, &out->extraPlugins)) return false;
  for (size_t i = 0; i < out->extraPlugins.size(); ++i) {
    std::string& p = out->extraPlugins[i];
    p = r.resolvePath(p);
    if (access(p.c_str(), R_OK) != 0)
      return r.fail(n[i], indexed(path, i),
                    "cannot read plugin file '" + p + "': " + std::strerror(errno));
  }
  return true;
}

uint32_t cpuCount() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n > 256 ? 256 : n;
}

bool readTopLevel(Reader& r, const YAML::Node& root, Config* out) {
  if (!root.IsDefined() || root.IsNull())
    return r.fail(Pos{1, 1}, "", "the file is empty: expected listeners and storage");
  if (!root.IsMap()) return r.fail(root, "", "the top level must be a mapping of key: value");
  bool hasListeners = false, hasStorage = false;
  uint64_t workers = 0;
  bool ok = r.forEachEntry(root, "", [&](const std::string& k, const YAML::Node& key,
                                         const YAML::Node& v) {
    if (k == "workers") return r.readUint(v, k, 0, 256, &workers);
    if (k == "plugin_dir") {
      if (!r.scalar(v, k, "a directory", &out->pluginDir)) return false;
      if (!out->pluginDir.empty()) out->pluginDir = r.resolvePath(out->pluginDir);
      return true;
    }
    if (k == "plugins") return readPlugins(r, v, k, out);
    if (k == "log") return readLog(r, v, k, out);
    if (k == "admin") return readAdmin(r, v, k, out);
    if (k == "limits") return readLimits(r, v, k, &out->limits);
    if (k == "listeners") {
      hasListeners = true;
      return readListeners(r, v, k, &out->listeners);
    }
    if (k == "storage") {
      hasStorage = true;
      return readStorage(r, v, k, out);
    }
    if (k == "authorization") return readAuthorization(r, v, k, &out->authorization.emplace());
    if (k == "auth") return readAuth(r, v, k, out);
    if (k == "tenancy") return readTenancy(r, v, k, &out->tenancy.emplace());
    return r.unknownKey(key, k,
                        "workers, plugin_dir, plugins, log, admin, limits, listeners, storage, "
                        "authorization, auth, tenancy");
  });
  if (!ok) return false;
  if (!hasListeners) return r.fail(root, "listeners", "is required: at least one listener");
  if (!hasStorage) return r.fail(root, "storage", "is required (storage: {backend: memory})");
  out->workers = workers == 0 ? cpuCount() : static_cast<uint32_t>(workers);
  return true;
}

std::string absoluteDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir.empty() ? "." : dir, ec);
  return ec ? dir : p.lexically_normal().string();
}

}  // namespace
}  // namespace detail

LoadResult loadString(const std::string& text, const std::string& nameForErrors,
                      const std::string& baseDir) {
  detail::Reader r(nameForErrors, detail::absoluteDir(baseDir));
  Config c;
  c.file = nameForErrors;
  c.dir = r.dir();
  try {
    // LoadAll, not Load: Load stops after the first node, so text after a flow mapping
    // ("{...}\nbogus: [1") would be ignored instead of refused.
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      r.fail(detail::Pos{static_cast<int>(docs[1].Mark().line) + 1,
                         static_cast<int>(docs[1].Mark().column) + 1},
             "", "more than one YAML document (one configuration per file)");
      return {std::nullopt, r.takeError()};
    }
    YAML::Node root = docs.empty() ? YAML::Node() : docs[0];
    if (detail::readTopLevel(r, root, &c)) return {std::move(c), std::nullopt};
  } catch (const YAML::Exception& e) {
    detail::Pos at;
    if (!e.mark.is_null()) at = {e.mark.line + 1, e.mark.column + 1};
    r.fail(at, "", e.msg);
  } catch (const std::exception& e) {
    r.fail(detail::Pos{}, "", std::string("cannot parse: ") + e.what());
  }
  return {std::nullopt, r.takeError()};
}

LoadResult loadFile(const std::string& path) {
  auto cannotOpen = [&](int err) {
    std::string what = std::string("cannot open file: ") + std::strerror(err);
    return LoadResult{std::nullopt, Error{path, 0, 0, "", what}};
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return cannotOpen(errno);
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err) return cannotOpen(err);
  std::string dir = std::filesystem::path(path).parent_path().string();
  return loadString(text, path, dir);
}

}  // namespace mqgw::config
