// The feed against librdkafka's in-process mock cluster: replay reaches every partition's end
// before returning, then the same consumer goes on live and finds new topics; positions,
// foreign records, end offsets and session replays. (tests/integration runs the real thing.)
#include "kafka_feed.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "kafka_record.h"
#include "testing/fake_storage_host.h"

namespace mqgw::kafka {
namespace {

using cluster::testing::FakeHost;

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeHost::instance().reset();
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    mockHandle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(mockHandle_, nullptr) << err;
    mock_ = rd_kafka_mock_cluster_new(mockHandle_, 1);
    ASSERT_NE(mock_, nullptr);
    rd_kafka_mock_topic_create(mock_, "mqtt.t.a", 2, 1);
    rd_kafka_mock_topic_create(mock_, "mqtt.t.b", 1, 1);
    rd_kafka_mock_topic_create(mock_, "unrelated", 1, 1);

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mock_), err,
                      sizeof err);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(producer_, nullptr) << err;

    settings_.bootstrapServers = rd_kafka_mock_cluster_bootstraps(mock_);
    settings_.instance = "t";
    settings_.topicTemplate = "mqtt.{instance}.{parent}";
    settings_.nodeId = "a";
    settings_.discoveryIntervalMs = 100;
  }

  void TearDown() override {
    feed_.reset();
    if (producer_) rd_kafka_destroy(producer_);
    if (mock_) rd_kafka_mock_cluster_destroy(mock_);
    if (mockHandle_) rd_kafka_destroy(mockHandle_);
    FakeHost::instance().reset();
  }

  // One MQTT message as the producer writes it; `n` makes its ID and payload unique.
  void produce(const char* kafkaTopic, int32_t partition, const std::string& payload,
               bool foreign = false) {
    mqgw_message_view v{};
    v.struct_size = sizeof v;
    v.topic = {"dev/x", 5};
    v.payload = {payload.data(), payload.size()};
    v.qos = 1;
    v.created_ms = 1000;
    memcpy(v.id, payload.data(), std::min<size_t>(payload.size(), 16));
    rd_kafka_headers_t* h = foreign ? rd_kafka_headers_new(0) : recordHeaders(v);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(kafkaTopic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(producer_, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  void startFeed() {
    feed_ = std::make_unique<Feed>(FakeHost::instance().api(), settings_, table_);
    std::string why;
    ASSERT_TRUE(feed_->configure(&why)) << why;
    ASSERT_EQ(feed_->start(), MQGW_OK);
  }

  // What was fed, as "<kafka topic>[<partition>]@<offset>=<payload>", in feed order per
  // partition.
  std::map<std::string, std::vector<std::string>> fedByPartition() {
    std::map<std::string, std::vector<std::string>> out;
    for (const mqgw_message* m : FakeHost::instance().fed()) {
      std::string topic;
      int32_t partition = -1;
      EXPECT_TRUE(m->hasPosition);
      EXPECT_TRUE(table_.find(m->position.partition, &topic, &partition));
      out[topic + "[" + std::to_string(partition) + "]"].push_back(
          std::to_string(m->position.offset) + "=" + m->payload);
    }
    return out;
  }

  rd_kafka_t* mockHandle_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  Settings settings_;
  PartitionTable table_;
  std::unique_ptr<Feed> feed_;
};

using Fed = std::map<std::string, std::vector<std::string>>;

TEST_F(FeedTest, RdkafkaSettingsApplyAndABadOneIsRefused) {
  settings_.rdkafka = {{"linger.ms", "1"}, {"acks", "all"}, {"fetch.wait.max.ms", "50"}};
  Feed ok(FakeHost::instance().api(), settings_, table_);
  std::string why;
  EXPECT_TRUE(ok.configure(&why)) << why;
  settings_.rdkafka.emplace_back("no.such.setting", "1");
  Feed bad(FakeHost::instance().api(), settings_, table_);
  EXPECT_FALSE(bad.configure(&why));
  EXPECT_NE(why.find("no.such.setting"), std::string::npos) << why;
  EXPECT_EQ(bad.start(), MQGW_E_INVAL);
}

TEST_F(FeedTest, ReplayFeedsEveryPartitionToItsEndThenGoesOnLive) {
  produce("mqtt.t.a", 0, "a0-0");
  produce("mqtt.t.a", 0, "junk", /*foreign=*/true);
  produce("mqtt.t.a", 0, "a0-2");
  produce("mqtt.t.a", 1, "a1-0");
  produce("mqtt.t.b", 0, "b0-0");
  produce("unrelated", 0, "u");
  startFeed();
  EXPECT_EQ(FakeHost::instance().fedCount(), 0u) << "start must not feed";
  ASSERT_EQ(feed_->replay(nullptr, 0), MQGW_OK);
  // Everything stored is fed by the time replay returns.
  EXPECT_EQ(fedByPartition(), (Fed{{"mqtt.t.a[0]", {"0=a0-0", "2=a0-2"}},
                                   {"mqtt.t.a[1]", {"0=a1-0"}},
                                   {"mqtt.t.b[0]", {"0=b0-0"}}}));
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_foreign_records_total"), 1);
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_fed_total"), 4);
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_partitions"), 3);
  for (const mqgw_message* m : FakeHost::instance().fed()) EXPECT_TRUE(m->restored);

  produce("mqtt.t.b", 0, "b0-1");
  ASSERT_TRUE(FakeHost::instance().waitFed(5, 5000));
  EXPECT_EQ(fedByPartition()["mqtt.t.b[0]"], (std::vector<std::string>{"0=b0-0", "1=b0-1"}));

  // A data topic made after start is found and read from its beginning.
  rd_kafka_mock_topic_create(mock_, "mqtt.t.c", 1, 1);
  produce("mqtt.t.c", 0, "c0-0");
  feed_->discoverSoon();
  ASSERT_TRUE(FakeHost::instance().waitFed(6, 5000));
  EXPECT_EQ(fedByPartition()["mqtt.t.c[0]"], (std::vector<std::string>{"0=c0-0"}));
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_partitions"), 4);
  feed_->stop();
  // counted after storage_feed returns, so only certain once stopped
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_fed_total"), 6);
  EXPECT_EQ(FakeHost::instance().metric("mqgw_storage_kafka_partitions"), 0);
}

TEST_F(FeedTest, ReplayStartsWherePositionsSayAndEndOffsetsAreTheNextToWrite) {
  for (int i = 0; i < 4; ++i) produce("mqtt.t.a", 0, "a0-" + std::to_string(i));
  produce("mqtt.t.a", 1, "a1-0");
  startFeed();
  uint32_t a0 = table_.index("mqtt.t.a", 0);
  uint32_t a1 = table_.index("mqtt.t.a", 1);
  std::vector<mqgw_position> ends = feed_->endOffsets();
  std::map<uint32_t, uint64_t> endByIndex;
  for (const mqgw_position& p : ends) endByIndex[p.partition] = p.offset;
  EXPECT_EQ(endByIndex[a0], 4u);
  EXPECT_EQ(endByIndex[a1], 1u);
  EXPECT_EQ(endByIndex.size(), 3u);  // b[0] too, empty: 0

  mqgw_position from[] = {{a0, 2}, {a1, 1}};
  ASSERT_EQ(feed_->replay(from, 2), MQGW_OK);
  EXPECT_EQ(fedByPartition(), (Fed{{"mqtt.t.a[0]", {"2=a0-2", "3=a0-3"}}}));
}

struct DoneFlag {
  std::atomic<int> status{1};
  static void cb(void* arg, int status) { static_cast<DoneFlag*>(arg)->status.store(status); }
  bool wait(int ms) {
    for (int i = 0; i < ms / 10 && status.load() == 1; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return status.load() != 1;
  }
};

TEST_F(FeedTest, SessionReplayFeedsTheRangeUpToTheLiveStartToItsTarget) {
  for (int i = 0; i < 5; ++i) produce("mqtt.t.a", 0, "a0-" + std::to_string(i));
  produce("mqtt.t.a", 1, "a1-0");
  startFeed();
  uint32_t a0 = table_.index("mqtt.t.a", 0);
  uint32_t a1 = table_.index("mqtt.t.a", 1);
  mqgw_position from[] = {{a0, 3}};  // this node's feed of a[0] begins at 3
  ASSERT_EQ(feed_->replay(from, 1), MQGW_OK);

  // [1, live start = 3) of a[0]; a[1] asked up to 7, but holds only offset 0.
  mqgw_position sFrom[] = {{a0, 1}, {a1, 0}};
  mqgw_position sTo[] = {{a0, UINT64_MAX}, {a1, 7}};
  DoneFlag done;
  ASSERT_EQ(feed_->replaySession(sFrom, sTo, 2, 42, DoneFlag::cb, &done), MQGW_OK);
  ASSERT_TRUE(done.wait(10000));
  EXPECT_EQ(done.status.load(), MQGW_OK);
  std::vector<std::string> got;
  for (auto& [target, m] : FakeHost::instance().sessionFed()) {
    EXPECT_EQ(target, 42u);
    got.push_back(std::to_string(m->position.partition) + "@" +
                  std::to_string(m->position.offset) + "=" + m->payload);
  }
  std::sort(got.begin(), got.end());
  std::vector<std::string> want = {std::to_string(a0) + "@1=a0-1", std::to_string(a0) + "@2=a0-2",
                                   std::to_string(a1) + "@0=a1-0"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  // A second job on the same consumer, an empty range: done at once, nothing fed.
  DoneFlag empty;
  mqgw_position eFrom[] = {{a0, 3}}, eTo[] = {{a0, UINT64_MAX}};
  ASSERT_EQ(feed_->replaySession(eFrom, eTo, 1, 43, DoneFlag::cb, &empty), MQGW_OK);
  ASSERT_TRUE(empty.wait(10000));
  EXPECT_EQ(empty.status.load(), MQGW_OK);
  EXPECT_EQ(FakeHost::instance().sessionFed().size(), 3u);
}

TEST_F(FeedTest, StopEndsQueuedSessionReplaysAndRefusesNewOnes) {
  produce("mqtt.t.a", 0, "a0-0");
  startFeed();
  ASSERT_EQ(feed_->replay(nullptr, 0), MQGW_OK);
  rd_kafka_mock_broker_set_down(mock_, 1);
  uint32_t a0 = table_.index("mqtt.t.a", 0);
  mqgw_position from[] = {{a0, 0}}, to[] = {{a0, 1}};
  DoneFlag first, second;
  ASSERT_EQ(feed_->replaySession(from, to, 1, 1, DoneFlag::cb, &first), MQGW_OK);
  ASSERT_EQ(feed_->replaySession(from, to, 1, 2, DoneFlag::cb, &second), MQGW_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  feed_->stop();
  EXPECT_EQ(first.status.load(), MQGW_E_UNAVAILABLE);
  EXPECT_EQ(second.status.load(), MQGW_E_UNAVAILABLE);
  DoneFlag late;
  EXPECT_EQ(feed_->replaySession(from, to, 1, 3, DoneFlag::cb, &late), MQGW_E_UNAVAILABLE);
  EXPECT_EQ(late.status.load(), 1) << "done must not be called for a refused job";
}

TEST_F(FeedTest, SessionReplayGivesUpWhenKafkaMakesNoProgress) {
  produce("mqtt.t.a", 0, "a0-0");
  startFeed();
  ASSERT_EQ(feed_->replay(nullptr, 0), MQGW_OK);
  rd_kafka_mock_broker_set_down(mock_, 1);
  uint32_t a0 = table_.index("mqtt.t.a", 0);
  mqgw_position from[] = {{a0, 0}}, to[] = {{a0, 1}};
  DoneFlag done;
  auto began = std::chrono::steady_clock::now();
  ASSERT_EQ(feed_->replaySession(from, to, 1, 1, DoneFlag::cb, &done), MQGW_OK);
  ASSERT_TRUE(done.wait(20000));
  auto took = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(done.status.load(), MQGW_E_UNAVAILABLE);
  EXPECT_GE(took, std::chrono::seconds(9));
  EXPECT_TRUE(FakeHost::instance().sessionFed().empty());
}

}  // namespace
}  // namespace mqgw::kafka
