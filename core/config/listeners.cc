// The `listeners:` list: each listener's core keys, its stack, and its layers' sections.
#include <arpa/inet.h>

#include <cstring>

#include "config/loader_parts.h"

namespace mqgw::config::detail {
namespace {

// What a listener needs for the checks across listeners.
struct Seen {
  Pos name, port;
};

bool readStack(Reader& r, const YAML::Node& n, const std::string& path,
               std::vector<std::string>* out) {
  if (!r.readStringList(n, path, out)) return false;
  if (out->empty()) return r.fail(n, path, "must not be empty: start with tcp, e.g. [tcp, mqtt]");
  for (size_t i = 0; i < out->size(); ++i) {
    const std::string& layer = (*out)[i];
    std::string p = indexed(path, i);
    if (!validName(layer))
      return r.fail(n[i], p, "'" + layer + "' is not a valid plugin name");
    if (i == 0 && layer != "tcp")
      return r.fail(n[i], p, "the first layer must be tcp, got '" + layer + "'");
    if (i > 0 && layer == "tcp") return r.fail(n[i], p, "tcp can only be the first layer");
    for (size_t j = 0; j < i; ++j)
      if ((*out)[j] == layer) return r.fail(n[i], p, "'" + layer + "' is twice in the stack");
  }
  return true;
}

struct Entry {
  std::string key;
  YAML::Node keyNode, value;
};

// Layer sections can only be checked once the stack is known, wherever it appears.
bool readSections(Reader& r, const std::vector<Entry>& sections, const std::string& path,
                  Pos owner, Listener* l) {
  for (const Entry& e : sections) {
    std::string p = child(path, e.key);
    if (e.key == "tcp") return r.fail(e.keyNode, p, "the tcp layer takes no settings");
    bool inStack = false;
    for (const std::string& layer : l->stack) inStack = inStack || layer == e.key;
    if (!inStack) return r.fail(e.keyNode, p, "'" + e.key + "' is not in this listener's stack");
  }
  for (size_t i = 1; i < l->stack.size(); ++i) {
    PluginSection s{l->stack[i], YAML::Node(), child(path, l->stack[i]), r.file(), r.dir(),
                    owner.line, owner.col};
    for (const Entry& e : sections) {
      if (e.key != s.plugin) continue;
      s.node = e.value;
      Pos at = posOf(e.value);
      if (at.line > 0) s.line = at.line, s.col = at.col;
    }
    l->sections.push_back(std::move(s));
  }
  return true;
}

bool readListener(Reader& r, const YAML::Node& n, const std::string& path, Listener* l,
                  Seen* seen) {
  if (!n.IsMap())
    return r.fail(n, path, "expected a listener mapping with name, bind, port and stack");
  Pos at = posOf(n);
  l->line = at.line, l->col = at.col;
  bool hasName = false, hasBind = false, hasPort = false, hasStack = false;
  std::vector<Entry> sections;
  bool ok = r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                        const YAML::Node& v) {
    std::string p = child(path, k);
    uint64_t port = 0;
    if (k == "name") {
      hasName = true, seen->name = posOf(v);
      return r.readName(v, p, &l->name);
    } else if (k == "bind") {
      hasBind = true;
      return r.readIpLiteral(v, p, &l->bind);
    } else if (k == "port") {
      hasPort = true, seen->port = posOf(v);
      if (!r.readUint(v, p, 0, 65535, &port)) return false;
      l->port = static_cast<uint16_t>(port);
    } else if (k == "stack") {
      hasStack = true;
      return readStack(r, v, p, &l->stack);
    } else {
      sections.push_back({k, key, v});
    }
    return true;
  });
  if (!ok) return false;
  if (!hasName) return r.fail(at, child(path, "name"), "is required");
  if (!hasBind) return r.fail(at, child(path, "bind"), "is required (e.g. 0.0.0.0 or ::)");
  if (!hasPort) return r.fail(at, child(path, "port"), "is required (0 = any free port)");
  if (!hasStack) return r.fail(at, child(path, "stack"), "is required (e.g. [tcp, mqtt])");
  return readSections(r, sections, path, at, l);
}

// The address a listener binds, comparable across spellings ("::1" == "0:0::1").
struct Address {
  int family = 0;
  unsigned char bytes[16] = {};
  bool wildcard() const {
    static const unsigned char zero[16] = {};
    return std::memcmp(bytes, zero, sizeof bytes) == 0;
  }
};

Address addressOf(const std::string& bind) {
  Address a;
  if (inet_pton(AF_INET, bind.c_str(), a.bytes) == 1)
    a.family = AF_INET;
  else if (inet_pton(AF_INET6, bind.c_str(), a.bytes) == 1)
    a.family = AF_INET6;
  return a;
}

// Same port and the same address, or one of them the wildcard of the same family: the second
// bind would fail with EADDRINUSE. Port 0 picks a free port, so it never clashes.
bool clash(const Listener& a, const Listener& b) {
  if (a.port == 0 || a.port != b.port) return false;
  Address x = addressOf(a.bind), y = addressOf(b.bind);
  if (x.family != y.family) return false;
  return x.wildcard() || y.wildcard() || std::memcmp(x.bytes, y.bytes, sizeof x.bytes) == 0;
}

}  // namespace

bool readListeners(Reader& r, const YAML::Node& n, const std::string& path,
                   std::vector<Listener>* out) {
  if (!n.IsSequence() || n.size() == 0)
    return r.fail(n, path, "expected a list of at least one listener");
  std::vector<Seen> seen(n.size());
  for (size_t i = 0; i < n.size(); ++i) {
    std::string p = indexed(path, i);
    Listener l;
    if (!readListener(r, n[i], p, &l, &seen[i])) return false;
    for (size_t j = 0; j < out->size(); ++j) {
      const Listener& other = (*out)[j];
      if (other.name == l.name)
        return r.fail(seen[i].name, child(p, "name"),
                      "duplicate listener name '" + l.name + "' (also " + indexed(path, j) + ")");
      if (clash(other, l))
        return r.fail(seen[i].port, child(p, "port"),
                      l.bind + " port " + std::to_string(l.port) + " is already used by " +
                          indexed(path, j) + " (" + other.bind + ")");
    }
    out->push_back(std::move(l));
  }
  return true;
}

}  // namespace mqgw::config::detail
