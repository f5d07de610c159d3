#include "state_record.h"

#include <gtest/gtest.h>

namespace mqgw::cluster {
namespace {

SessionRecord sampleSession() {
  SessionRecord s;
  s.owner = "node-a";
  s.state = std::string("\x00\x01state\xff", 8);
  s.cursor = {{"mqtt.t1.sensors", 2, 41}, {"mqtt.t1.cmd", 0, 7000000000LL}};
  s.updatedMs = 1700000000123ULL;
  return s;
}

ReleaseRecord sampleRelease() {
  ReleaseRecord r;
  r.claimId = 0xfedcba9876543210ULL;
  r.from = "a";
  r.to = "b";
  r.clientId = "dev-1";
  r.state = "opaque";
  r.cursor = {{"mqtt.t1.x", 1, 5}};
  return r;
}

TEST(StateRecord, SessionRoundTrip) {
  SessionRecord in = sampleSession(), out;
  ASSERT_TRUE(decode(encode(in), &out));
  EXPECT_EQ(out.owner, in.owner);
  EXPECT_EQ(out.state, in.state);
  EXPECT_TRUE(out.cursor == in.cursor);
  EXPECT_EQ(out.updatedMs, in.updatedMs);
}

TEST(StateRecord, EmptySessionRoundTrip) {
  SessionRecord in, out = sampleSession();
  ASSERT_TRUE(decode(encode(in), &out));
  EXPECT_EQ(out.owner, "");
  EXPECT_EQ(out.state, "");
  EXPECT_TRUE(out.cursor.empty());
}

TEST(StateRecord, FloorRoundTrip) {
  FloorRecord in{"b", {{"mqtt.t1.a", 0, 0}, {"mqtt.t1.a", 1, 99}}, 5}, out;
  ASSERT_TRUE(decode(encode(in), &out));
  EXPECT_EQ(out.node, "b");
  EXPECT_TRUE(out.floor == in.floor);
  EXPECT_EQ(out.updatedMs, 5u);
}

TEST(StateRecord, ClaimRoundTrip) {
  ClaimRecord in{42, "b", "dev-1", true, 1234567, "a"};
  ControlRecord out;
  ASSERT_TRUE(decode(encode(in), &out));
  const auto* c = std::get_if<ClaimRecord>(&out);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->claimId, 42u);
  EXPECT_EQ(c->node, "b");
  EXPECT_EQ(c->clientId, "dev-1");
  EXPECT_TRUE(c->takeState);
  EXPECT_EQ(c->timeMs, 1234567u);
  EXPECT_EQ(c->expectedOwner, "a");
}

TEST(StateRecord, ReleaseRoundTrip) {
  ReleaseRecord in = sampleRelease();
  ControlRecord out;
  ASSERT_TRUE(decode(encode(in), &out));
  const auto* r = std::get_if<ReleaseRecord>(&out);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->claimId, in.claimId);
  EXPECT_EQ(r->from, "a");
  EXPECT_EQ(r->to, "b");
  EXPECT_EQ(r->clientId, "dev-1");
  EXPECT_EQ(r->state, "opaque");
  EXPECT_TRUE(r->cursor == in.cursor);
}

TEST(StateRecord, EveryTruncationIsRejected) {
  std::string session = encode(sampleSession());
  std::string release = encode(sampleRelease());
  std::string claim = encode(ClaimRecord{1, "b", "c", false, 2, "a"});
  for (size_t n = 0; n < session.size(); ++n) {
    SessionRecord s;
    EXPECT_FALSE(decode(std::string_view(session).substr(0, n), &s)) << n;
  }
  for (size_t n = 0; n < release.size(); ++n) {
    ControlRecord c;
    EXPECT_FALSE(decode(std::string_view(release).substr(0, n), &c)) << n;
  }
  for (size_t n = 0; n < claim.size(); ++n) {
    ControlRecord c;
    EXPECT_FALSE(decode(std::string_view(claim).substr(0, n), &c)) << n;
  }
}

TEST(StateRecord, UnknownVersionIsRejected) {
  std::string bytes = encode(sampleSession());
  bytes[0] = static_cast<char>(kStateRecordVersion + 1);
  SessionRecord s;
  EXPECT_FALSE(decode(bytes, &s));
  std::string control = encode(sampleRelease());
  control[0] = 0;
  ControlRecord c;
  EXPECT_FALSE(decode(control, &c));
}

TEST(StateRecord, OtherKindIsRejected) {
  SessionRecord s;
  FloorRecord f;
  ControlRecord c;
  EXPECT_FALSE(decode(encode(FloorRecord{"a", {}, 0}), &s));
  EXPECT_FALSE(decode(encode(sampleSession()), &f));
  EXPECT_FALSE(decode(encode(sampleSession()), &c));
}

TEST(StateRecord, HugeCountsAreRejectedWithoutAllocating) {
  // A position count of 2^32-1 with nothing behind it.
  std::string bytes = encode(FloorRecord{"a", {}, 0});
  bytes.replace(2 + 4 + 1, 4, "\xff\xff\xff\xff");
  FloorRecord f;
  EXPECT_FALSE(decode(bytes, &f));
}

TEST(StateRecord, TrailingFieldsOfANewerWriterAreIgnored) {
  std::string bytes = encode(sampleSession()) + "future";
  SessionRecord s;
  ASSERT_TRUE(decode(bytes, &s));
  EXPECT_EQ(s.owner, "node-a");
}

TEST(StateRecord, FloorKeys) {
  std::string node;
  std::string key = floorKey("a");
  EXPECT_EQ(key.size(), 8u);
  EXPECT_EQ(key[0], '\0');
  ASSERT_TRUE(isFloorKey(key, &node));
  EXPECT_EQ(node, "a");
  EXPECT_FALSE(isFloorKey("floor:a", &node));
  EXPECT_FALSE(isFloorKey("dev-1", &node));
}

}  // namespace
}  // namespace mqgw::cluster
