#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "amqp_connection.h"
#include "amqp_state_record.h"

namespace mqgw::amqp {
namespace {

using cluster::NamedPosition;

// A Delivery as the consumer would hand it, made from an outgoing message (which must outlive
// it: the properties point into it). The envelope owns only its body, as rabbitmq-c's does.
void deliver(OutgoingMessage& m, Delivery* d) {
  d->raw()->message.properties = m.properties();
  d->raw()->message.body =
      amqp_bytes_malloc_dup(amqp_bytes_t{m.body().size(), const_cast<char*>(m.body().data())});
  d->markFilled();
}

TEST(AmqpStateRecord, KindNamesRoundTrip) {
  for (StateKind k : {StateKind::kSession, StateKind::kRetained, StateKind::kMeta,
                      StateKind::kClaim, StateKind::kRelease, StateKind::kMarker})
    EXPECT_EQ(kindOf(kindName(k)), k) << kindName(k);
  EXPECT_EQ(kindName(StateKind::kSession), "session");
  EXPECT_EQ(kindName(StateKind::kRetained), "retained");
  EXPECT_EQ(kindOf("snapshot"), StateKind::kUnknown);
  EXPECT_EQ(kindOf(""), StateKind::kUnknown);
}

TEST(AmqpStateRecord, SessionRecordKeepsBinaryKeyAndBody) {
  const std::string key("\0floor:node-1", 13);
  const std::string body("\x01\x02\0\xff", 4);
  OutgoingMessage m = stateRecord(StateKind::kSession, key, body);
  Delivery d;
  deliver(m, &d);
  StateEntry e;
  ASSERT_TRUE(readStateEntry(d, &e));
  EXPECT_EQ(e.kind, StateKind::kSession);
  EXPECT_EQ(e.key, key);
  EXPECT_EQ(e.body, body);
  EXPECT_TRUE(e.marker.empty());
}

TEST(AmqpStateRecord, EmptyBodyIsADeletion) {
  OutgoingMessage m = stateRecord(StateKind::kRetained, "a/b", "");
  Delivery d;
  deliver(m, &d);
  StateEntry e;
  ASSERT_TRUE(readStateEntry(d, &e));
  EXPECT_EQ(e.kind, StateKind::kRetained);
  EXPECT_EQ(e.key, "a/b");
  EXPECT_TRUE(e.body.empty());
}

TEST(AmqpStateRecord, MarkerCarriesItsId) {
  OutgoingMessage m = markerRecord("n1/state/42/7");
  Delivery d;
  deliver(m, &d);
  StateEntry e;
  ASSERT_TRUE(readStateEntry(d, &e));
  EXPECT_EQ(e.kind, StateKind::kMarker);
  EXPECT_EQ(e.marker, "n1/state/42/7");
  EXPECT_TRUE(m.body().empty());
}

TEST(AmqpStateRecord, ForeignMessagesAreNotRecords) {
  Delivery none;  // no headers at all
  StateEntry e;
  EXPECT_FALSE(readStateEntry(none, &e));

  OutgoingMessage kindOnly;
  kindOnly.addString(kKindHeader, "session");
  kindOnly.setBody("x");
  Delivery d1;
  deliver(kindOnly, &d1);
  EXPECT_FALSE(readStateEntry(d1, &e));

  OutgoingMessage keyOnly;
  keyOnly.addString(kKeyHeader, "c1");
  Delivery d2;
  deliver(keyOnly, &d2);
  EXPECT_FALSE(readStateEntry(d2, &e));

  OutgoingMessage idlessMarker;  // kind "marker" but no mqgw.marker
  idlessMarker.addString(kKindHeader, "marker");
  idlessMarker.addString(kKeyHeader, "k");
  Delivery d3;
  deliver(idlessMarker, &d3);
  EXPECT_FALSE(readStateEntry(d3, &e));
}

TEST(AmqpStateRecord, NewerKindsReadAsUnknown) {
  OutgoingMessage m;
  m.addString(kKindHeader, "snapshot");
  m.addString(kKeyHeader, "k");
  m.setBody("v");
  Delivery d;
  deliver(m, &d);
  StateEntry e;
  ASSERT_TRUE(readStateEntry(d, &e));
  EXPECT_EQ(e.kind, StateKind::kUnknown);
  EXPECT_EQ(e.key, "k");
}

TEST(AmqpStatePositions, NamedAreTheLogStreamPartitionZero) {
  const mqgw_position p[] = {{0, 17}, {3, 5}, {0, 0}, {0, UINT64_MAX}};
  std::vector<NamedPosition> named = namedPositions("mqgw.x.log", p, 4);
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0], (NamedPosition{"mqgw.x.log", 0, 17}));
  EXPECT_EQ(named[1], (NamedPosition{"mqgw.x.log", 0, 0}));
  EXPECT_TRUE(namedPositions("mqgw.x.log", nullptr, 0).empty());
}

TEST(AmqpStatePositions, CoreDropsOtherLogsAndRoundTrips) {
  std::vector<NamedPosition> named = {
      {"mqgw.x.log", 0, 42}, {"mqgw.y.log", 0, 9}, {"mqgw.x.log", 1, 3}, {"mqgw.x.log", 0, -1}};
  std::vector<mqgw_position> core = corePositions("mqgw.x.log", named);
  ASSERT_EQ(core.size(), 1u);
  EXPECT_EQ(core[0].partition, 0u);
  EXPECT_EQ(core[0].offset, 42u);
  std::vector<NamedPosition> back = namedPositions("mqgw.x.log", core.data(), 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], named[0]);
}

}  // namespace
}  // namespace mqgw::amqp
