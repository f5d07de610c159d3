// Topic authorization: ordered allow/deny rules per action (publish, subscribe) and topic filter,
// from the config's `authorization:` section. First matching rule wins; no match = the default.
//
//   PUBLISH to a topic name: a rule applies when its filter matches the name (MQTT 5.0 §4.7,
//   so a rule starting with '+' or '#' never matches a '$' topic).
//   SUBSCRIBE to a filter S: an allow rule applies only when its filter covers S (every topic S
//   can match, the rule matches too); a deny rule refuses S when it covers S, and when it only
//   overlaps S (some topic both match) it lets the decision go on but marks S *filtered*: each
//   message for S is then checked against the rules by its topic at delivery (readable()).
//   So `deny admin/#` refuses `admin/x`, grants `#` — which then never receives admin/...
//   messages — and costs nothing for `sensors/#`. A shared filter ($share/<group>/<f>) is
//   judged by <f>.
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

  enum class Subscribe { Deny, Allow, AllowFiltered };
  bool allowsPublish(std::string_view topic) const;
  Subscribe subscribe(std::string_view filter) const;
  bool allowsSubscribe(std::string_view filter) const { return subscribe(filter) != Subscribe::Deny; }
  // May a filtered subscription receive a message on this topic name? The first subscribe rule
  // matching the name decides, else the default.
  bool readable(std::string_view topic) const;
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
// Whether a granted subscription to `filter` needs readable() checks at delivery.
bool subscribeFiltered(std::string_view filter);
bool topicReadable(std::string_view topic);

}  // namespace mqgw::auth
