#include "resources/topic_policy.h"

#include "router/topic_levels.h"

namespace mqgw::resources {
namespace {

using router::kLevelsEnd;
using router::nextLevel;

bool wordChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool wordChars(std::string_view s) {
  for (char c : s)
    if (!wordChar(c)) return false;
  return true;
}

bool validLevel(std::string_view level) { return !level.empty() && wordChars(level); }

// Shared by names and filters: the parent level, then levels of word characters (or wildcards
// when `wildcards`), where the level after "<parent>/p2p/" may be a whole Client ID.
std::string checkLevels(const InstanceView& v, std::string_view s, uint32_t maxLength,
                        bool wildcards) {
  const char* what = wildcards ? "topic filter" : "topic";
  if (s.size() < 3 || s.size() > maxLength)
    return std::string(what) + " length " + std::to_string(s.size()) + " is not in 3.." +
           std::to_string(maxLength);
  size_t pos = 0;
  std::string_view parent = nextLevel(s, &pos);
  if (!validLevel(parent)) return std::string(what) + " must start with a parent topic";
  if (!v.parentTopics.count(std::string(parent)))
    return "parent topic " + std::string(parent) + " does not exist in instance " +
           v.instance.id;
  for (size_t index = 1; pos != kLevelsEnd; ++index) {
    std::string_view level = nextLevel(s, &pos);
    if (wildcards && level == "+") continue;
    if (wildcards && level == "#") {
      if (pos == kLevelsEnd) break;
      return "'#' must be the last level of a topic filter";
    }
    if (validLevel(level)) continue;
    bool p2pClient = index == 2 && pos == kLevelsEnd && s.substr(parent.size() + 1, 4) == "p2p/";
    if (p2pClient && splitClientId(level)) continue;
    return std::string(what) + " levels must be 1+ of [A-Za-z0-9_-]";
  }
  return {};
}

// MQTT matching of a topic name by a filter ('+' one level, '#' the rest including none).
bool matches(std::string_view filter, std::string_view topic) {
  size_t f = 0, t = 0;
  while (f != kLevelsEnd) {
    std::string_view fl = nextLevel(filter, &f);
    if (fl == "#") return true;
    if (t == kLevelsEnd) return false;
    std::string_view tl = nextLevel(topic, &t);
    if (fl != "+" && fl != tl) return false;
  }
  return t == kLevelsEnd;
}

// Whether every topic `filter` can match is also matched by `grant`.
bool covers(std::string_view grant, std::string_view filter) {
  size_t g = 0, f = 0;
  while (g != kLevelsEnd) {
    std::string_view gl = nextLevel(grant, &g);
    if (gl == "#") return true;
    if (f == kLevelsEnd) return false;
    std::string_view fl = nextLevel(filter, &f);
    if (fl == "#") return false;  // only a '#' grant covers it
    if (gl == "+") continue;      // fl is a literal or '+'
    if (gl != fl) return false;
  }
  return f == kLevelsEnd;
}

bool someGrantAllows(const std::vector<Grant>& grants, std::string_view s, uint8_t action,
                     int64_t nowMs) {
  for (const auto& g : grants) {
    if (!(g.actions & action) || g.expireMs <= nowMs) continue;
    for (const auto& r : g.resources)
      if (action == kWrite ? matches(r, s) : covers(r, s)) return true;
  }
  return false;
}

}  // namespace

std::string checkTopicName(const InstanceView& v, std::string_view topic, uint32_t maxLength) {
  return checkLevels(v, topic, maxLength, false);
}

std::string checkTopicFilter(const InstanceView& v, std::string_view filter, uint32_t maxLength) {
  return checkLevels(v, filter, maxLength, true);
}

std::optional<std::string_view> p2pTarget(std::string_view topic) {
  size_t pos = 0;
  nextLevel(topic, &pos);
  if (pos == kLevelsEnd || nextLevel(topic, &pos) != "p2p" || pos == kLevelsEnd) return {};
  std::string_view target = nextLevel(topic, &pos);
  if (pos != kLevelsEnd || target.empty()) return {};
  return target;
}

bool grantsAllow(const std::vector<Grant>& grants, std::string_view topicOrFilter, uint8_t action,
                 int64_t nowMs) {
  if (action == 0) return false;
  for (uint8_t bit : {uint8_t{kRead}, uint8_t{kWrite}})
    if ((action & bit) && !someGrantAllows(grants, topicOrFilter, bit, nowMs)) return false;
  return true;
}

bool validParentTopic(std::string_view name) {
  return name.size() >= 3 && name.size() <= 64 && wordChars(name);
}

bool validGroupId(std::string_view name) {
  bool prefix = name.substr(0, 4) == "GID_" || name.substr(0, 4) == "GID-";
  return prefix && name.size() >= 7 && name.size() <= 64 && wordChars(name);
}

std::optional<std::pair<std::string_view, std::string_view>> splitClientId(std::string_view id) {
  if (id.size() > 64) return {};  // the whole Client ID, "@@@" included
  size_t at = id.find("@@@");
  if (at == std::string_view::npos) return {};
  std::string_view group = id.substr(0, at), device = id.substr(at + 3);
  if (!validGroupId(group) || !validLevel(device)) return {};
  return std::make_pair(group, device);
}

}  // namespace mqgw::resources
