// Which deliveries from an instance exchange become MQTT messages: the gateway's own only
// through the exchange their topic routes to (a plain client cannot reach another instance by
// copying its topic into a header), a plain client's by its exchange and routing key.
#include "amqp_inbound.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "amqp_record.h"
#include "amqp_test_host.h"

namespace mqgw::amqp {
namespace {

using testing::FakeHost;
using testing::fillDelivery;

const mqgw_host_api* host() { return FakeHost::instance().api(); }

struct Unref {
  void operator()(mqgw_message* m) const { host()->message_unref(m); }
};
using MessagePtr = std::unique_ptr<mqgw_message, Unref>;

MessagePtr message(const std::string& topic) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {topic.data(), topic.size()};
  v.payload = {"p", 1};
  v.qos = 1;
  return MessagePtr(host()->message_create(&v));
}

// The gateway's record of `topic`, delivered as if it came through `exchange`.
MessagePtr arriving(const std::string& topic, const std::string& exchange) {
  MessagePtr m = message(topic);
  OutgoingMessage out;
  encodeMessage(host(), m.get(), &out);
  Delivery d;
  EXPECT_TRUE(fillDelivery(&d, out.properties(), out.body(), exchange, "k"));
  return MessagePtr(inboundMessage(host(), Settings{}, d));
}

TEST(AmqpInbound, TheGatewaysMessageThroughItsOwnExchange) {
  MessagePtr dev = arriving("a/b", "mqgw.default");
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->topic, "a/b");
  MessagePtr console = arriving("$i/mqtt-1/a/b", "mqgw.mqtt-1");
  ASSERT_TRUE(console);
  EXPECT_EQ(console->topic, "$i/mqtt-1/a/b");
}

TEST(AmqpInbound, AHeaderNamingAnotherInstanceIsRefused) {
  EXPECT_FALSE(arriving("$i/mqtt-2/a/b", "mqgw.mqtt-1"));
  EXPECT_FALSE(arriving("$i/mqtt-2/a/b", "mqgw.default"));
  EXPECT_FALSE(arriving("a/b", "mqgw.mqtt-1"));
  EXPECT_FALSE(arriving("a/b", "someone.elses"));
}

TEST(AmqpInbound, APlainClientsMessageTakesItsTopicFromExchangeAndKey) {
  OutgoingMessage out;
  out.setBody("on");
  Delivery d;
  ASSERT_TRUE(fillDelivery(&d, out.properties(), out.body(), "mqgw.mqtt-1", "cmd.dev1"));
  MessagePtr m(inboundMessage(host(), Settings{}, d));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->topic, "$i/mqtt-1/cmd/dev1");
  Delivery elsewhere;
  ASSERT_TRUE(fillDelivery(&elsewhere, out.properties(), out.body(), "other", "cmd.dev1"));
  EXPECT_FALSE(inboundMessage(host(), Settings{}, elsewhere));
}

}  // namespace
}  // namespace mqgw::amqp
