// RetainedStore: set / replace / clear, MQTT wildcard matching of retained topics, and that the
// store holds exactly one reference per retained message.
#include "router/retained_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "message/message.h"

namespace mqgw::router {
namespace {

// Owns one reference to a message, like a publisher would until the router is done with it.
class Msg {
 public:
  Msg(const std::string& topic, const std::string& payload) {
    mqgw_message_view v{};
    v.struct_size = sizeof v;
    v.topic = {topic.data(), topic.size()};
    v.payload = {payload.data(), payload.size()};
    v.retain = 1;
    m_ = message::create(v);
  }
  ~Msg() { message::unref(m_); }
  Msg(const Msg&) = delete;
  Msg& operator=(const Msg&) = delete;
  mqgw_message* get() const { return m_; }
  uint32_t refs() const { return m_->refs.load(); }

 private:
  mqgw_message* m_;
};

std::string payloadOf(const mqgw_message* m) {
  return m ? std::string(m->view.payload.ptr, m->view.payload.len) : "<none>";
}

std::vector<std::string> matchTopics(const RetainedStore& s, const std::string& filter) {
  std::vector<std::string> out;
  s.match(filter, [&](mqgw_message* m) { out.emplace_back(m->view.topic.ptr, m->view.topic.len); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RetainedStore, SetReplaceClear) {
  RetainedStore s;
  Msg first("a/b", "1"), second("a/b", "2"), empty("a/b", "");
  EXPECT_EQ(s.update(first.get()), 1);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(payloadOf(s.find("a/b")), "1");
  EXPECT_EQ(first.refs(), 2u) << "the store keeps its own reference";

  EXPECT_EQ(s.update(second.get()), 0) << "replacing does not change the count";
  EXPECT_EQ(payloadOf(s.find("a/b")), "2");
  EXPECT_EQ(first.refs(), 1u) << "the replaced message was released";
  EXPECT_EQ(second.refs(), 2u);

  EXPECT_EQ(s.update(empty.get()), -1);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.find("a/b"), nullptr);
  EXPECT_EQ(second.refs(), 1u);
  EXPECT_EQ(empty.refs(), 1u) << "an empty payload is never stored";
  EXPECT_EQ(s.update(empty.get()), 0) << "clearing nothing changes nothing";
}

TEST(RetainedStore, ClearingALeafKeepsItsParentAndSiblings) {
  RetainedStore s;
  Msg parent("a", "p"), leaf("a/b", "l"), sibling("a/c", "s"), clearLeaf("a/b", "");
  s.update(parent.get());
  s.update(leaf.get());
  s.update(sibling.get());
  s.update(clearLeaf.get());
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(payloadOf(s.find("a")), "p");
  EXPECT_EQ(payloadOf(s.find("a/c")), "s");
  EXPECT_EQ(s.find("a/b"), nullptr);
  EXPECT_EQ(matchTopics(s, "a/#"), (std::vector<std::string>{"a", "a/c"}));
}

TEST(RetainedStore, DestructorReleasesEveryMessage) {
  Msg a("x", "1"), b("x/y/z", "2"), c("$SYS/q", "3");
  {
    RetainedStore s;
    s.update(a.get());
    s.update(b.get());
    s.update(c.get());
    EXPECT_EQ(a.refs() + b.refs() + c.refs(), 6u);
  }
  EXPECT_EQ(a.refs(), 1u);
  EXPECT_EQ(b.refs(), 1u);
  EXPECT_EQ(c.refs(), 1u);
}

TEST(RetainedStore, DeepTopicsDoNotOverflowTheStack) {
  std::string topic;
  for (int i = 0; i < 100000; ++i) topic += "/";
  Msg deep(topic, "d");
  {
    RetainedStore s;
    s.update(deep.get());
    EXPECT_EQ(matchTopics(s, "#").size(), 1u);
  }
  EXPECT_EQ(deep.refs(), 1u);
}

struct MatchCase {
  const char* filter;
  std::vector<std::string> topics;  // sorted
};

TEST(RetainedStore, WildcardMatchTable) {
  const char* topics[] = {"a",     "a/b",    "a/b/c", "a/c",   "b",      "/a",
                          "a//b",  "$SYS/x", "$SYS",  "$x/a",  "sport/tennis/player1"};
  std::vector<std::unique_ptr<Msg>> msgs;
  RetainedStore s;
  for (const char* t : topics) {
    msgs.push_back(std::make_unique<Msg>(t, "v"));
    s.update(msgs.back()->get());
  }
  ASSERT_EQ(s.size(), std::size(topics));
  const MatchCase cases[] = {
      {"a", {"a"}},
      {"a/b", {"a/b"}},
      {"a/#", {"a", "a//b", "a/b", "a/b/c", "a/c"}},  // "a/#" matches "a" itself
      {"a/+", {"a/b", "a/c"}},
      {"a/+/c", {"a/b/c"}},
      {"a/+/+", {"a//b", "a/b/c"}},  // '+' matches an empty level
      {"+", {"a", "b"}},             // not "$SYS": wildcards skip '$' topics at the first level
      {"+/+", {"/a", "a/b", "a/c"}},
      {"#", {"/a", "a", "a//b", "a/b", "a/b/c", "a/c", "b", "sport/tennis/player1"}},
      {"+/#", {"/a", "a", "a//b", "a/b", "a/b/c", "a/c", "b", "sport/tennis/player1"}},
      {"$SYS/#", {"$SYS", "$SYS/x"}},
      {"$SYS/+", {"$SYS/x"}},
      {"+/x", {}},  // "$SYS/x" is hidden from a leading wildcard
      {"$x/a", {"$x/a"}},
      {"sport/+/player1", {"sport/tennis/player1"}},
      {"sport/tennis/#", {"sport/tennis/player1"}},
      {"nothing/#", {}},
      {"a/b/c/d", {}},
      {"", {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matchTopics(s, c.filter), c.topics) << "filter \"" << c.filter << "\"";
  }
}

TEST(RetainedStore, MatchCallbackMayTakeReferences) {
  RetainedStore s;
  Msg m("t/1", "v");
  s.update(m.get());
  std::vector<mqgw_message*> kept;
  s.match("t/+", [&](mqgw_message* x) {
    message::ref(x);
    kept.push_back(x);
  });
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(m.refs(), 3u);
  for (auto* x : kept) message::unref(x);
  EXPECT_EQ(m.refs(), 2u);
}

}  // namespace
}  // namespace mqgw::router
