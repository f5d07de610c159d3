// The MQTT ↔ AMQP names: exchanges, routing and binding keys, share queues (the topic matching
// of the share consumer is tested with plugins/cluster_state, topic_filter_test.cc).
#include "amqp_names.h"

#include <gtest/gtest.h>

#include <cctype>

namespace mqgw::amqp {
namespace {

Settings settings(const std::string& instance = "default",
                  const std::string& exchange = "mqgw.{instance}") {
  Settings s;
  s.instance = instance;
  s.exchangeTemplate = exchange;
  return s;
}

TEST(AmqpNames, SwapExchangesSlashAndDotAndIsAnInvolution) {
  EXPECT_EQ(swapSeparators("a/b.c/d"), "a.b/c.d");
  EXPECT_EQ(swapSeparators(""), "");
  EXPECT_EQ(swapSeparators("//.."), "..//");
  for (std::string t : {"plant/7/temp", "a.b/c", "/lead/and/trail/", "$SYS/x.y", "x"})
    EXPECT_EQ(swapSeparators(swapSeparators(t)), t);
}

TEST(AmqpNames, DevelopmentTopicGoesToTheConfiguredInstanceExchange) {
  Route r;
  ASSERT_TRUE(routeOf(settings("site1"), "plant/7/temp.c", &r));
  EXPECT_EQ(r.exchange, "mqgw.site1");
  EXPECT_EQ(r.routingKey, "plant.7.temp/c");
  ASSERT_TRUE(routeOf(settings("site1", "x.{instance}.y"), "a", &r));
  EXPECT_EQ(r.exchange, "x.site1.y");
  EXPECT_EQ(r.routingKey, "a");
}

TEST(AmqpNames, ConsoleTopicGoesToItsInstanceExchangeWithoutThePrefix) {
  Route r;
  ASSERT_TRUE(routeOf(settings(), "$i/mqtt-abc123/a/b", &r));
  EXPECT_EQ(r.exchange, "mqgw.mqtt-abc123");
  EXPECT_EQ(r.routingKey, "a.b");
  // "$i/<id>" without the closing '/' is no console prefix (namespace.h): a plain topic
  ASSERT_TRUE(routeOf(settings(), "$i/abc", &r));
  EXPECT_EQ(r.exchange, "mqgw.default");
  EXPECT_EQ(r.routingKey, "$i.abc");
}

TEST(AmqpNames, EmptyInstanceIsRefused) {
  Route r;
  EXPECT_FALSE(routeOf(settings(), "$i//a/b", &r));
  EXPECT_FALSE(routeOf(settings(""), "a/b", &r));
  EXPECT_FALSE(bindingOf(settings(), "$i//#", &r));
}

TEST(AmqpNames, TemplateWithoutInstanceKeepsConsolePrefixInTheKey) {
  Settings s = settings("default", "mqtt.all");
  Route r;
  ASSERT_TRUE(routeOf(s, "$i/mqtt-1/a/b", &r));
  EXPECT_EQ(r.exchange, "mqtt.all");
  EXPECT_EQ(r.routingKey, "$i.mqtt-1.a.b");
  std::string topic;
  ASSERT_TRUE(topicOf(s, "mqtt.all", r.routingKey, &topic));
  EXPECT_EQ(topic, "$i/mqtt-1/a/b");
  ASSERT_TRUE(bindingOf(s, "$i/mqtt-1/+/b", &r));
  EXPECT_EQ(r.routingKey, "$i.mqtt-1.*.b");
  EXPECT_FALSE(topicOf(s, "mqtt.other", "a", &topic));
}

TEST(AmqpNames, NamesLongerThan255BytesAreRefused) {
  Route r;
  std::string level(254, 'x');
  EXPECT_TRUE(routeOf(settings(), "a/" + std::string(253, 'x'), &r));  // key of exactly 255
  EXPECT_EQ(r.routingKey.size(), kMaxShortString);
  EXPECT_FALSE(routeOf(settings(), "ab/" + level, &r));
  EXPECT_FALSE(bindingOf(settings(), "ab/" + level, &r));
  EXPECT_TRUE(bindingOf(settings(), "+/" + std::string(253, 'x'), &r));
  // the exchange: "mqgw." + id, 5 + 250 = 255 fits, one more does not
  EXPECT_TRUE(routeOf(settings(), "$i/" + std::string(250, 'i') + "/t", &r));
  EXPECT_EQ(r.exchange.size(), kMaxShortString);
  EXPECT_FALSE(routeOf(settings(), "$i/" + std::string(251, 'i') + "/t", &r));
  EXPECT_FALSE(bindingOf(settings(), "$i/" + std::string(251, 'i') + "/#", &r));
  EXPECT_FALSE(routeOf(settings(std::string(251, 'd')), "t", &r));
}

TEST(AmqpNames, BindingMapsWildcardsAndSwapsOtherLevels) {
  Route r;
  ASSERT_TRUE(bindingOf(settings(), "a/+/c.d/#", &r));
  EXPECT_EQ(r.exchange, "mqgw.default");
  EXPECT_EQ(r.routingKey, "a.*.c/d.#");
  ASSERT_TRUE(bindingOf(settings(), "#", &r));
  EXPECT_EQ(r.routingKey, "#");
  ASSERT_TRUE(bindingOf(settings(), "+", &r));
  EXPECT_EQ(r.routingKey, "*");
  ASSERT_TRUE(bindingOf(settings(), "+/+", &r));
  EXPECT_EQ(r.routingKey, "*.*");
  ASSERT_TRUE(bindingOf(settings(), "a//b", &r));  // an empty level stays an empty word
  EXPECT_EQ(r.routingKey, "a..b");
  ASSERT_TRUE(bindingOf(settings(), "/", &r));
  EXPECT_EQ(r.routingKey, ".");
}

TEST(AmqpNames, ConsoleFilterBindsOnItsInstanceExchange) {
  Route r;
  ASSERT_TRUE(bindingOf(settings(), "$i/mqtt-9/#", &r));
  EXPECT_EQ(r.exchange, "mqgw.mqtt-9");
  EXPECT_EQ(r.routingKey, "#");
  ASSERT_TRUE(bindingOf(settings(), "$i/mqtt-9/dev/+/temp", &r));
  EXPECT_EQ(r.exchange, "mqgw.mqtt-9");
  EXPECT_EQ(r.routingKey, "dev.*.temp");
}

TEST(AmqpNames, TopicOfReversesRouteOf) {
  Settings s = settings("site1");
  for (std::string t : {"plant/7/temp.c", "$i/mqtt-abc/a/b", "$i/mqtt-abc/", "x", "$SYS/up"}) {
    Route r;
    ASSERT_TRUE(routeOf(s, t, &r)) << t;
    std::string back;
    ASSERT_TRUE(topicOf(s, r.exchange, r.routingKey, &back)) << t;
    EXPECT_EQ(back, t);
  }
}

TEST(AmqpNames, TopicOfRefusesUnknownExchanges) {
  Settings s = settings("site1", "pre.{instance}.post");
  std::string topic = "unchanged";
  EXPECT_FALSE(topicOf(s, "", "a", &topic));
  EXPECT_FALSE(topicOf(s, "amq.topic", "a", &topic));
  EXPECT_FALSE(topicOf(s, "pre..post", "a", &topic));  // empty instance
  EXPECT_FALSE(topicOf(s, "pre.post", "a", &topic));   // head and tail overlap
  EXPECT_FALSE(topicOf(s, "pre.site1.postx", "a", &topic));
  EXPECT_FALSE(topicOf(s, "xpre.site1.post", "a", &topic));
  EXPECT_EQ(topic, "unchanged");
  ASSERT_TRUE(topicOf(s, "pre.site1.post", "a.b", &topic));
  EXPECT_EQ(topic, "a/b");
  ASSERT_TRUE(topicOf(s, "pre.mqtt-7.post", "a.b", &topic));
  EXPECT_EQ(topic, "$i/mqtt-7/a/b");
}

TEST(AmqpNames, DevelopmentExchangeCannotReachIntoAConsoleInstance) {
  std::string topic;
  EXPECT_FALSE(topicOf(settings(), "mqgw.default", "$i.mqtt-7.a", &topic));
  EXPECT_FALSE(topicOf(settings(), "mqgw.default", "$i.x", &topic));
  ASSERT_TRUE(topicOf(settings(), "mqgw.default", "$SYS.x", &topic));
  EXPECT_EQ(topic, "$SYS/x");
  // a console instance's own key may start with anything: it stays inside its prefix
  ASSERT_TRUE(topicOf(settings(), "mqgw.mqtt-7", "$i.mqtt-8.a", &topic));
  EXPECT_EQ(topic, "$i/mqtt-7/$i/mqtt-8/a");
}

TEST(AmqpNames, ShareQueueNameIsStableSafeAndDistinct) {
  Settings s = settings("site1");
  s.statePrefix = "mqgw.{instance}.";
  std::string q = shareQueueName(s, "workers", "jobs/#");
  EXPECT_EQ(q, shareQueueName(s, "workers", "jobs/#"));
  EXPECT_EQ(q.rfind("mqgw.site1.share.workers.", 0), 0u) << q;
  EXPECT_EQ(q.size(), std::string("mqgw.site1.share.workers.").size() + 16);
  EXPECT_NE(q, shareQueueName(s, "workers", "jobs/+"));
  EXPECT_NE(q, shareQueueName(s, "workers2", "jobs/#"));
  EXPECT_NE(shareQueueName(s, "g", "$i/mqtt-1/a"), shareQueueName(s, "g", "$i/mqtt-2/a"));
  // known FNV-1a 64 of "": the filter hash is stable across builds and nodes
  EXPECT_EQ(shareQueueName(s, "g", ""), "mqgw.site1.share.g.cbf29ce484222325");

  // groups that need changing become plain + '~' + hash, never equal to another group's name
  std::string odd = shareQueueName(s, "a.b c", "f");
  std::string under = shareQueueName(s, "a_b_c", "f");
  EXPECT_NE(odd, under);
  EXPECT_NE(odd, shareQueueName(s, "a b.c", "f"));
  EXPECT_NE(odd.find("share.a_b_c~"), std::string::npos) << odd;
  std::string longGroup(1000, 'g');
  std::string longName = shareQueueName(s, longGroup, "f");
  EXPECT_LE(longName.size(), kMaxShortString);
  EXPECT_NE(longName, shareQueueName(s, longGroup + "h", "f"));
  for (std::string name : {odd, longName, shareQueueName(s, "\xc3\xa9/\x01", "#")}) {
    std::string_view middle = std::string_view(name).substr(std::string("mqgw.site1.").size());
    for (char c : middle)
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
                  c == '~')
          << name;
  }
}

}  // namespace
}  // namespace mqgw::amqp
