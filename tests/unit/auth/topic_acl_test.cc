// Topic ACL: matching, coverage and overlap tables, rule order, and the subscribe invariant.
#include "auth/topic_acl.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqgw::auth {
namespace {

struct Case {
  const char* a;
  const char* b;
  bool expected;
};

TEST(TopicAcl, FilterMatchesTopic) {
  const Case cases[] = {
      {"#", "a", true},           {"#", "a/b/c", true},        {"#", "$SYS/x", false},
      {"+", "a", true},           {"+", "a/b", false},         {"+/b", "$SYS/b", false},
      {"$SYS/#", "$SYS/x", true}, {"a/#", "a", true},          {"a/#", "a/b/c", true},
      {"a/#", "ab", false},       {"a/+", "a", false},         {"a/+", "a/b", true},
      {"a/+", "a/", true},        {"a/+/c", "a/b/c", true},    {"a/+/c", "a/b/d", false},
      {"a/b", "a/b", true},       {"a/b", "a/b/c", false},     {"a//b", "a//b", true},
      {"a/+/b", "a//b", true},    {"sensors/#", "sensor", false},
  };
  for (const Case& c : cases)
    EXPECT_EQ(filterMatches(c.a, c.b), c.expected) << "filter " << c.a << " topic " << c.b;
}

TEST(TopicAcl, RuleCoversSubscription) {
  const Case cases[] = {
      {"#", "#", true},
      {"#", "a/+/b", true},
      {"#", "$SYS/#", false},         // '#' matches no '$' topic
      {"$SYS/#", "$SYS/+", true},
      {"sensors/#", "sensors/+/temp", true},
      {"sensors/#", "sensors/#", true},
      {"sensors/#", "sensors", true},   // "a/#" matches the parent
      {"sensors/#", "#", false},
      {"sensors/a", "sensors/+", false},
      {"sensors/+", "sensors/a", true},
      {"sensors/+", "sensors/+", true},
      {"sensors/+", "sensors/#", false},  // "sensors/#" also matches "sensors" and "sensors/a/b"
      {"sensors/+/#", "sensors/#", false},  // ... "sensors" is not matched by the rule
      {"sensors/+/#", "sensors/+", true},   // "sensors/x" is matched by "sensors/+/#"
      {"a/+", "a", false},
      {"a", "a/+", false},
      {"a/b", "a/b", true},
      {"+/+", "a/+", true},
      {"+/+", "+/+/+", false},
      {"+", "$SYS", false},
      {"+", "+", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(filterCovers(c.a, c.b), c.expected) << "rule " << c.a << " sub " << c.b;
}

TEST(TopicAcl, FiltersOverlap) {
  const Case cases[] = {
      {"admin/#", "#", true},       {"admin/#", "+/x", true},     {"admin/#", "admin", true},
      {"admin/#", "sensors/#", false}, {"admin/+", "admin", false}, {"a", "a/#", true},
      {"a/b", "a/+", true},         {"a/b", "a/c", false},        {"#", "$SYS/x", false},
      {"+/x", "$SYS/x", false},     {"$SYS/#", "$SYS/+", true},   {"a/+/c", "a/b/+", true},
      {"a/+", "a/b/c", false},      {"+/+", "a/#", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(filtersOverlap(c.a, c.b), c.expected) << c.a << " vs " << c.b;
    EXPECT_EQ(filtersOverlap(c.b, c.a), c.expected) << c.b << " vs " << c.a << " (swapped)";
  }
}

config::Authorization acl(bool defaultAllow, std::vector<config::AuthRule> rules) {
  return {defaultAllow, std::move(rules)};
}
config::AuthRule rule(config::AuthAction a, const char* filter, bool allow) {
  return {a, filter, allow, 0, 0};
}
using config::AuthAction;

TEST(TopicAcl, EmptyAllowsEverything) {
  TopicAcl a;
  EXPECT_TRUE(a.allowsEverything());
  EXPECT_TRUE(a.allowsPublish("x"));
  EXPECT_TRUE(a.allowsSubscribe("#"));
  TopicAcl denyAll(acl(false, {}));
  EXPECT_FALSE(denyAll.allowsEverything());
  EXPECT_FALSE(denyAll.allowsPublish("x"));
  EXPECT_FALSE(denyAll.allowsSubscribe("x"));
}

TEST(TopicAcl, FirstMatchWinsPerAction) {
  TopicAcl a(acl(true, {rule(AuthAction::Publish, "sensors/#", true),
                        rule(AuthAction::Subscribe, "admin/#", false),
                        rule(AuthAction::All, "sensors/secret", false),
                        rule(AuthAction::All, "#", false)}));
  EXPECT_TRUE(a.allowsPublish("sensors/secret"));  // rule 0 first
  EXPECT_TRUE(a.allowsPublish("sensors"));
  EXPECT_FALSE(a.allowsPublish("admin/x"));        // subscribe rule skipped, then '#'
  EXPECT_FALSE(a.allowsPublish("other"));
  EXPECT_TRUE(a.allowsPublish("$SYS/x"));          // '#' does not match '$': default allow
  EXPECT_FALSE(a.allowsSubscribe("sensors/secret"));  // the publish rule does not apply
  EXPECT_FALSE(a.allowsSubscribe("admin/x"));
  EXPECT_TRUE(a.allowsSubscribe("$SYS/#"));
}

TEST(TopicAcl, SubscribeDenyRefusesCoverageFiltersOverlapAllowNeedsCoverage) {
  using V = TopicAcl::Subscribe;
  TopicAcl a(acl(true, {rule(AuthAction::Subscribe, "admin/#", false),
                        rule(AuthAction::Subscribe, "sensors/#", true)}));
  EXPECT_EQ(a.subscribe("#"), V::AllowFiltered);      // granted, admin/... held back
  EXPECT_EQ(a.subscribe("+/cfg"), V::AllowFiltered);  // admin/cfg held back
  EXPECT_EQ(a.subscribe("admin"), V::Deny);           // nothing it matches is allowed
  EXPECT_EQ(a.subscribe("admin/+"), V::Deny);
  EXPECT_EQ(a.subscribe("sensors/#"), V::Allow) << "no deny overlaps: no check at delivery";
  EXPECT_FALSE(a.readable("admin/cfg"));
  EXPECT_TRUE(a.readable("x/cfg"));
  EXPECT_TRUE(a.allowsSubscribe("sensors/+/temp"));
  EXPECT_TRUE(a.allowsSubscribe("other/x"));  // default allow
  TopicAcl strict(acl(false, {rule(AuthAction::Subscribe, "sensors/#", true)}));
  EXPECT_TRUE(strict.allowsSubscribe("sensors/+/temp"));
  EXPECT_TRUE(strict.allowsSubscribe("sensors"));
  EXPECT_FALSE(strict.allowsSubscribe("#"));  // only partly covered: default deny
  EXPECT_FALSE(strict.allowsSubscribe("+/temp"));
  EXPECT_TRUE(strict.allowsSubscribe("$share/g/sensors/a"));  // judged by the inner filter
  EXPECT_FALSE(strict.allowsSubscribe("$share/g/#"));
}

// A granted subscription receives a topic exactly when that topic's own subscription would be
// granted: never a denied one, and — with delivery checks — every allowed one.
TEST(TopicAcl, AllowedSubscriptionsReceiveOnlyAllowedTopics) {
  const std::vector<std::string> filters = {"#", "+", "a", "a/#", "a/+", "a/b", "+/b", "a/+/c",
                                            "b/#", "$SYS/#", "+/+", "a/b/c", "b"};
  const std::vector<std::string> topics = {"a", "b", "a/b", "a/c", "b/b", "a/b/c", "a/x/c",
                                           "b/x", "$SYS/a", "c/b"};
  int checked = 0;
  for (const std::string& f1 : filters)
    for (const std::string& f2 : filters)
      for (bool def : {true, false}) {
        TopicAcl a(acl(def, {rule(AuthAction::All, f1.c_str(), false),
                             rule(AuthAction::Subscribe, f2.c_str(), true)}));
        for (const std::string& sub : filters) {
          TopicAcl::Subscribe v = a.subscribe(sub);
          if (v == TopicAcl::Subscribe::Deny) continue;
          ++checked;
          for (const std::string& t : topics) {
            if (!filterMatches(sub, t)) continue;
            // What the router delivers: everything, or for a filtered grant what is readable.
            bool delivered = v == TopicAcl::Subscribe::Allow || a.readable(t);
            EXPECT_EQ(delivered, a.allowsSubscribe(t))
                << "deny " << f1 << ", allow " << f2 << ", default " << def << ": " << sub
                << " gets " << t << " = " << delivered;
          }
        }
      }
  EXPECT_GT(checked, 100);  // the property was checked on many allowed subscriptions
}

}  // namespace
}  // namespace mqgw::auth
