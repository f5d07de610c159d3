// The `amqp` backend's settings: the URL (amqp_parse_url plus our defaults), the names the
// templates make, what is refused, and that passwords never reach a log line.
#include "amqp_settings.h"

#include <gtest/gtest.h>

#include <vector>


namespace mqgw::amqp {
namespace {

Settings parsed(std::vector<mqgw_kv> kv) {
  Settings s;
  std::string why;
  EXPECT_TRUE(parseSettings(kv.data(), kv.size(), &s, &why)) << why;
  return s;
}

std::string refusal(std::vector<mqgw_kv> kv) {
  Settings s;
  std::string why;
  EXPECT_FALSE(parseSettings(kv.data(), kv.size(), &s, &why));
  return why;
}

TEST(AmqpSettings, UrlPartsAndVhost) {
  Settings s = parsed({{"url", "amqp://bob:s3cret@rabbit.example:5673/prod%2Fa"}});
  EXPECT_EQ(s.endpoint.host, "rabbit.example");
  EXPECT_EQ(s.endpoint.port, 5673);
  EXPECT_EQ(s.endpoint.user, "bob");
  EXPECT_EQ(s.endpoint.password, "s3cret");
  EXPECT_EQ(s.endpoint.vhost, "prod/a");
  EXPECT_EQ(parsed({{"url", "amqp://h/%2f"}}).endpoint.vhost, "/");
  EXPECT_EQ(parsed({{"url", "amqp://h/v1"}}).endpoint.vhost, "v1");
}

TEST(AmqpSettings, UrlDefaults) {
  Settings s = parsed({{"url", "amqp://127.0.0.1"}});
  EXPECT_EQ(s.endpoint.port, 5672);
  EXPECT_EQ(s.endpoint.user, "guest");
  EXPECT_EQ(s.endpoint.password, "guest");
  EXPECT_EQ(s.endpoint.vhost, "/");
  EXPECT_EQ(s.endpoint.heartbeatS, 10);
  // the form tools/rabbitmq and RabbitMQ itself print: a trailing slash still means "/"
  EXPECT_EQ(parsed({{"url", "amqp://guest:guest@127.0.0.1:60775/"}}).endpoint.vhost, "/");
}

TEST(AmqpSettings, UrlQuerySetsHeartbeatAndConnectTimeout) {
  Settings s = parsed({{"url", "amqp://h/?heartbeat=3&connection_timeout=750"}});
  EXPECT_EQ(s.endpoint.heartbeatS, 3);
  EXPECT_EQ(s.endpoint.connectTimeoutMs, 750);
  EXPECT_EQ(s.endpoint.vhost, "/");
  EXPECT_NE(refusal({{"url", "amqp://h/?frame_max=1"}}).find("frame_max"), std::string::npos);
}

TEST(AmqpSettings, KeyValuesAndDefaults) {
  Settings d = parsed({{"url", "amqp://h"}});
  EXPECT_EQ(d.instance, "default");
  EXPECT_EQ(d.prefetch, 2000u);
  EXPECT_EQ(d.maxPending, 20000u);
  EXPECT_FALSE(d.nodeId.empty());  // the host name
  Settings s = parsed({{"url", "amqp://h"},           {"instance", "eu1"},
                       {"node_id", "gw-7"},           {"prefetch", "10"},
                       {"max_pending", "500"},        {"reconnect_min", "50"},
                       {"reconnect_max", "800"},      {"claim_timeout", "1500"},
                       {"log_max_bytes", "1073741824"}, {"exchange", "x.{instance}.t"}});
  EXPECT_EQ(s.instance, "eu1");
  EXPECT_EQ(s.nodeId, "gw-7");
  EXPECT_EQ(s.prefetch, 10u);
  EXPECT_EQ(s.maxPending, 500u);
  EXPECT_EQ(s.reconnectMinMs, 50);
  EXPECT_EQ(s.reconnectMaxMs, 800);
  EXPECT_EQ(s.claimTimeoutMs, 1500);
  EXPECT_EQ(s.logMaxBytes, 1073741824);
  EXPECT_EQ(s.exchangeTemplate, "x.{instance}.t");
  // one exchange for every instance, even RabbitMQ MQTT's own, is allowed (amqp_names keeps
  // a console instance's prefix in the routing key then)
  EXPECT_EQ(parsed({{"url", "amqp://h"}, {"exchange", "amq.topic"}}).exchangeTemplate, "amq.topic");
}

TEST(AmqpSettings, StateNameSubstitutesTheInstance) {
  Settings s = parsed({{"url", "amqp://h"}});
  EXPECT_EQ(stateName(s, "log"), "mqgw.default.log");
  s = parsed({{"url", "amqp://h"}, {"instance", "eu"}, {"state_prefix", "gw-{instance}-{instance}/"}});
  EXPECT_EQ(stateName(s, "state"), "gw-eu-eu/state");
}

TEST(AmqpSettings, RefusesBadUrls) {
  EXPECT_NE(refusal({}).find("url"), std::string::npos);
  EXPECT_NE(refusal({{"url", "http://h/"}}).find("url"), std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h:notaport/"}}).find("url"), std::string::npos);
  EXPECT_NE(refusal({{"url", "amqps://h/"}}).find("TLS"), std::string::npos);
  // the password stays out of the message
  std::string why = refusal({{"url", "amqp://u:topsecret@h:bad/"}});
  EXPECT_EQ(why.find("topsecret"), std::string::npos) << why;
}

TEST(AmqpSettings, RefusesBadTemplatesAndNumbers) {
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"exchange", "mqgw.{topic}"}}).find("exchange"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"exchange", "mqgw.{instance"}}).find("exchange"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"state_prefix", "amq.{instance}."}}).find("amq."),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"exchange", std::string(256, 'x').c_str()}})
                .find("exchange"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"state_prefix", "p.{node}."}}).find("state_prefix"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"state_prefix", std::string(250, 'p').c_str()}})
                .find("255"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"prefetch", "0"}}).find("prefetch"), std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"max_pending", "12x"}}).find("max_pending"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"reconnect_min", "900"}, {"reconnect_max", "100"}})
                .find("reconnect_min"),
            std::string::npos);
  EXPECT_NE(refusal({{"url", "amqp://h"}, {"instance", ""}}).find("instance"), std::string::npos);
}

TEST(AmqpSettings, RedactedUrlHidesOnlyThePassword) {
  EXPECT_EQ(redactedUrl("amqp://bob:s3cret@h:5672/v"), "amqp://bob:***@h:5672/v");
  EXPECT_EQ(redactedUrl("amqp://bob:p@ss@h/"), "amqp://bob:***@h/");
  EXPECT_EQ(redactedUrl("amqp://bob@h/"), "amqp://bob@h/");
  EXPECT_EQ(redactedUrl("amqp://h:5672/a:b@c"), "amqp://h:5672/a:b@c");
  EXPECT_EQ(redactedUrl("amqp://h"), "amqp://h");
}

TEST(AmqpSettings, BackoffDoublesUpToTheCapWithJitter) {
  Settings s;
  s.reconnectMinMs = 100;
  s.reconnectMaxMs = 1000;
  for (int round = 0; round < 50; ++round) {
    int first = backoffMs(s, 0), third = backoffMs(s, 2), late = backoffMs(s, 30);
    EXPECT_GE(first, 80);
    EXPECT_LE(first, 120);
    EXPECT_GE(third, 320);
    EXPECT_LE(third, 480);
    EXPECT_GE(late, 800);
    EXPECT_LE(late, 1200);
  }
}

}  // namespace
}  // namespace mqgw::amqp
