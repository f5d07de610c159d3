#include "auth/topic_acl.h"

#include <spdlog/spdlog.h>

#include <cstdint>

#include "metrics/metrics.h"
#include "router/topic_rules.h"

namespace mqgw::auth {
namespace {

// Walks a topic or filter level by level without copying ("a//b" has three levels).
class Levels {
 public:
  explicit Levels(std::string_view s) : s_(s) {}
  bool atEnd() const { return pos_ == std::string_view::npos; }
  std::string_view take() {
    size_t slash = s_.find('/', pos_);
    std::string_view level = s_.substr(pos_, slash == s_.npos ? s_.npos : slash - pos_);
    pos_ = slash == s_.npos ? s_.npos : slash + 1;
    return level;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool startsWithWildcard(std::string_view f) {
  return !f.empty() && (f.front() == '+' || f.front() == '#');
}
bool startsWithDollar(std::string_view s) { return !s.empty() && s.front() == '$'; }

}  // namespace

bool filterMatches(std::string_view filter, std::string_view topic) {
  if (startsWithDollar(topic) && startsWithWildcard(filter)) return false;
  Levels f(filter), t(topic);
  while (!f.atEnd()) {
    std::string_view fl = f.take();
    if (fl == "#") return true;  // also matches the parent: "a/#" matches "a"
    if (t.atEnd()) return false;
    std::string_view tl = t.take();
    if (fl != "+" && fl != tl) return false;
  }
  return t.atEnd();
}

bool filterCovers(std::string_view rule, std::string_view sub) {
  // sub starting with '$' only matches '$' topics, which a leading wildcard never matches.
  if (startsWithDollar(sub) && startsWithWildcard(rule)) return false;
  Levels r(rule), s(sub);
  while (!r.atEnd()) {
    std::string_view rl = r.take();
    if (rl == "#") return true;
    if (s.atEnd()) return false;  // the rule needs a level that sub's topics lack
    std::string_view sl = s.take();
    if (sl == "#") return false;  // sub reaches the parent and any depth; only '#' covers that
    if (rl == "+") continue;      // one level against one level (a literal or '+')
    if (sl != rl) return false;   // a literal rule level covers only the same literal
  }
  return s.atEnd();
}

bool filtersOverlap(std::string_view a, std::string_view b) {
  if ((startsWithDollar(a) && startsWithWildcard(b)) ||
      (startsWithDollar(b) && startsWithWildcard(a)))
    return false;
  Levels x(a), y(b);
  while (true) {
    if (x.atEnd() && y.atEnd()) return true;
    if (x.atEnd()) return y.take() == "#";  // "a" and "a/#" share "a"
    if (y.atEnd()) return x.take() == "#";
    std::string_view xl = x.take(), yl = y.take();
    if (xl == "#" || yl == "#") return true;
    if (xl != "+" && yl != "+" && xl != yl) return false;
  }
}

TopicAcl::TopicAcl(const config::Authorization& a) : defaultAllow_(a.defaultAllow) {
  for (const config::AuthRule& r : a.rules) {
    bool all = r.action == config::AuthAction::All;
    rules_.push_back({all || r.action == config::AuthAction::Publish,
                      all || r.action == config::AuthAction::Subscribe, r.allow, r.filter});
  }
}

bool TopicAcl::allowsPublish(std::string_view topic) const {
  for (const Rule& r : rules_)
    if (r.publish && filterMatches(r.filter, topic)) return r.allow;
  return defaultAllow_;
}

TopicAcl::Subscribe TopicAcl::subscribe(std::string_view filter) const {
  if (auto shared = router::parseShared(filter)) filter = shared->filter;
  bool filtered = false;
  auto granted = [&] { return filtered ? Subscribe::AllowFiltered : Subscribe::Allow; };
  for (const Rule& r : rules_) {
    if (!r.subscribe) continue;
    if (r.allow) {
      if (filterCovers(r.filter, filter)) return granted();
    } else if (filterCovers(r.filter, filter)) {
      return Subscribe::Deny;  // every topic it could match is denied
    } else if (filtersOverlap(r.filter, filter)) {
      filtered = true;  // some are: check those at delivery
    }
  }
  return defaultAllow_ ? granted() : Subscribe::Deny;
}

bool TopicAcl::readable(std::string_view topic) const {
  for (const Rule& r : rules_)
    if (r.subscribe && filterMatches(r.filter, topic)) return r.allow;
  return defaultAllow_;
}

namespace {

TopicAcl gAcl;  // replaced only by installTopicAcl, before any worker runs
uint32_t gPublishDenied = UINT32_MAX, gSubscribeDenied = UINT32_MAX;

}  // namespace

void installTopicAcl(const std::optional<config::Authorization>& a) {
  gAcl = a ? TopicAcl(*a) : TopicAcl();
  gPublishDenied = metrics::registerMetric(
      "mqgw_auth_publish_denied_total", "PUBLISH packets refused by the authorization rules",
      false);
  gSubscribeDenied = metrics::registerMetric(
      "mqgw_auth_subscribe_denied_total",
      "subscription filters refused by the authorization rules", false);
}

bool publishAllowed(std::string_view topic) {
  if (gAcl.allowsEverything() || gAcl.allowsPublish(topic)) return true;
  metrics::add(gPublishDenied, 1);
  spdlog::debug("authorization: publish to '{}' denied", topic);
  return false;
}

bool subscribeFiltered(std::string_view filter) {
  return !gAcl.allowsEverything() && gAcl.subscribe(filter) == TopicAcl::Subscribe::AllowFiltered;
}

bool topicReadable(std::string_view topic) { return gAcl.allowsEverything() || gAcl.readable(topic); }

bool subscribeAllowed(std::string_view filter) {
  if (gAcl.allowsEverything() || gAcl.allowsSubscribe(filter)) return true;
  metrics::add(gSubscribeDenied, 1);
  spdlog::debug("authorization: subscribe to '{}' denied", filter);
  return false;
}

}  // namespace mqgw::auth
