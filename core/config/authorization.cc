// The `authorization:` section: topic ACL rules (see docs/config.md, "Authorization").
#include "config/loader_parts.h"
#include "config/units.h"
#include "router/topic_rules.h"

namespace mqgw::config::detail {
namespace {

bool readAction(Reader& r, const YAML::Node& v, const std::string& path, AuthAction* out) {
  std::string text;
  if (!r.scalar(v, path, "publish, subscribe or all", &text)) return false;
  if (text == "publish") *out = AuthAction::Publish;
  else if (text == "subscribe") *out = AuthAction::Subscribe;
  else if (text == "all") *out = AuthAction::All;
  else return r.fail(v, path, "'" + text + "' is not one of publish|subscribe|all");
  return true;
}

bool readFilter(Reader& r, const YAML::Node& v, const std::string& path, std::string* out) {
  if (!r.scalar(v, path, "a topic filter", out)) return false;
  if (!router::validTopicFilter(*out))
    return r.fail(v, path,
                  "'" + *out + "' is not a valid MQTT topic filter (not empty; '+' and '#' "
                  "only as a whole level, '#' only last)");
  return true;
}

bool readRule(Reader& r, const YAML::Node& n, const std::string& path, AuthRule* out) {
  if (!n.IsMap())
    return r.fail(n, path, "expected a rule like {action: publish, filter: \"a/#\", allow: true}");
  bool hasAction = false, hasFilter = false, hasAllow = false;
  bool ok = r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                        const YAML::Node& v) {
    std::string p = child(path, k);
    if (k == "action") {
      hasAction = true;
      return readAction(r, v, p, &out->action);
    }
    if (k == "filter") {
      hasFilter = true;
      return readFilter(r, v, p, &out->filter);
    }
    if (k != "allow") return r.unknownKey(key, p, "action, filter, allow");
    hasAllow = true;
    std::string text, why;
    if (!r.scalar(v, p, "true or false", &text)) return false;
    auto b = parseBool(text, &why);
    if (!b) return r.fail(v, p, why);
    out->allow = *b;
    return true;
  });
  if (!ok) return false;
  Pos at = posOf(n);
  out->line = at.line, out->col = at.col;
  if (!hasAction) return r.fail(at, child(path, "action"), "is required (publish|subscribe|all)");
  if (!hasFilter) return r.fail(at, child(path, "filter"), "is required (a topic filter)");
  if (!hasAllow) return r.fail(at, child(path, "allow"), "is required (true or false)");
  return true;
}

}  // namespace

bool readAuthorization(Reader& r, const YAML::Node& n, const std::string& path,
                       Authorization* out) {
  return r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                     const YAML::Node& v) {
    std::string p = child(path, k);
    if (k == "default") {
      std::string text;
      if (!r.scalar(v, p, "allow or deny", &text)) return false;
      if (text != "allow" && text != "deny")
        return r.fail(v, p, "'" + text + "' is not one of allow|deny");
      out->defaultAllow = text == "allow";
      return true;
    }
    if (k != "rules") return r.unknownKey(key, p, "default, rules");
    if (v.IsNull()) return true;
    if (!v.IsSequence())
      return r.fail(v, p, "expected a list of rules like - {action: all, filter: \"#\", allow: "
                          "false}");
    out->rules.resize(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      if (!readRule(r, v[i], indexed(p, i), &out->rules[i])) return false;
    return true;
  });
}

}  // namespace mqgw::config::detail
