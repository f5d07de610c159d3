// Topic templates, their substitutions and the record key choice of the `kafka` backend.
#include "kafka_settings.h"

#include <gtest/gtest.h>

namespace mqgw::kafka {
namespace {

Settings parsed(std::vector<mqgw_kv> kv, std::string* why = nullptr) {
  Settings s;
  std::string ignored;
  EXPECT_TRUE(parseSettings(kv.data(), kv.size(), &s, why ? why : &ignored)) << *why;
  return s;
}

TEST(KafkaSettings, DefaultTemplateUsesTheFirstLevelMadeKafkaSafe) {
  Settings s = parsed({{"bootstrap_servers", "b:9092"}});
  EXPECT_EQ(renderTopic(s, "sensors/dev1/temp"), "mqtt.sensors");
  EXPECT_EQ(renderTopic(s, "room 7/lamp"), "mqtt.room_7");
  EXPECT_EQ(renderTopic(s, "/leading/slash"), "mqtt._");
  EXPECT_EQ(renderTopic(s, "caf\xc3\xa9"), "mqtt.caf__");  // UTF-8 bytes each become '_'
}

TEST(KafkaSettings, InstanceIsSubstitutedAndRdkafkaKeysLoseTheirPrefix) {
  Settings s = parsed({{"bootstrap_servers", "b:9092"},
                       {"topic_template", "{instance}-{parent}-{parent}"},
                       {"instance", "eu/1"},
                       {"rdkafka.linger.ms", "5"}});
  EXPECT_EQ(renderTopic(s, "a/b"), "eu_1-a-a");
  ASSERT_EQ(s.rdkafka.size(), 1u);
  EXPECT_EQ(s.rdkafka[0].first, "linger.ms");
  EXPECT_EQ(s.rdkafka[0].second, "5");
}

TEST(KafkaSettings, RefusesUnknownPlaceholdersAndInvalidLiterals) {
  for (const char* bad : {"mqtt.{topic}", "mqtt.{parent", "bad name.{parent}", ".."}) {
    std::vector<mqgw_kv> kv = {{"bootstrap_servers", "b:9092"}, {"topic_template", bad}};
    Settings s;
    std::string why;
    EXPECT_FALSE(parseSettings(kv.data(), kv.size(), &s, &why)) << bad;
    EXPECT_NE(why.find("topic_template"), std::string::npos) << why;
  }
}

TEST(KafkaSettings, TooLongTopicRendersEmpty) {
  Settings s = parsed({{"bootstrap_servers", "b:9092"}});
  EXPECT_EQ(renderTopic(s, std::string(245, 'x')), "");
  EXPECT_EQ(renderTopic(s, std::string(244, 'x')).size(), 249u);
}

TEST(KafkaSettings, RecordKeyByTopicClientOrLevel) {
  Settings s = parsed({{"bootstrap_servers", "b:9092"}});
  EXPECT_EQ(recordKey(s, "a/b/c", "dev"), "a/b/c");
  s.key = KeyMode::kClientId;
  EXPECT_EQ(recordKey(s, "a/b/c", "dev"), "dev");
  s.key = KeyMode::kLevel;
  s.keyLevel = 1;
  EXPECT_EQ(recordKey(s, "a/b/c", "dev"), "b");
  s.keyLevel = 2;
  EXPECT_EQ(recordKey(s, "a/b/c", "dev"), "c");
  s.keyLevel = 3;
  EXPECT_EQ(recordKey(s, "a/b/c", "dev"), "a/b/c");  // too few levels: the whole topic
  s.keyLevel = 1;
  EXPECT_EQ(recordKey(s, "a//c", "dev"), "");        // an empty level is a valid key
}

}  // namespace
}  // namespace mqgw::kafka
