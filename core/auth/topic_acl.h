// Topic authorization: ordered allow/deny rules per action (publish, subscribe) and topic filter,
// from the config's `authorization:` section. First matching rule wins; no match = the default.
//
//   PUBLISH to a topic name: a rule applies when its filter matches the name (MQTT 5.0 §4.7,
//   so a rule starting with '+' or '#' never matches a '$' topic).
//   SUBSCRIBE to a filter S: an allow rule applies only when its filter covers S (every topic S
//   can match, the rule matches too); a deny rule applies as soon as it overlaps S (some topic
//   both match). So an allowed subscription never receives a message on a topic whose own
//   subscription would be denied: `deny admin/#` refuses `#` and `+/x` too. A shared filter
//   ($share/<group>/<f>) is judged by <f>.
//
// The ACL is built once at start-up (installTopicAcl) and never changes: every worker reads it
// without locks. Pure functions and the TopicAcl class carry the logic and are unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace mqgw::auth {

// MQTT matching of a topic name against a filter (both assumed valid).
bool filterMatches(std::string_view filter, std::string_view topic);
// Every topic `sub` can match, `rule` matches too.
bool filterCovers(std::string_view rule, std::string_view sub);
// Some topic name is matched by both filters.
bool filtersOverlap(std::string_view a, std::string_view b);

class TopicAcl {
 public:
  TopicAcl() = default;  // no rules, default allow: everything allowed
  explicit TopicAcl(const config::Authorization& a);

  bool allowsPublish(std::string_view topic) const;
  bool allowsSubscribe(std::string_view filter) const;
  bool allowsEverything() const { return rules_.empty() && defaultAllow_; }

 private:
  struct Rule {
    bool publish, subscribe, allow;
    std::string filter;
  };
  std::vector<Rule> rules_;
  bool defaultAllow_ = true;
};

// Process-wide ACL. Install before the workers start; absent = allow everything. Also registers
// the denial counters (mqgw_auth_publish_denied_total, mqgw_auth_subscribe_denied_total).
void installTopicAcl(const std::optional<config::Authorization>& a);
// Checks against the installed ACL and counts denials; callable from any worker.
bool publishAllowed(std::string_view topic);
bool subscribeAllowed(std::string_view filter);

}  // namespace mqgw::auth
