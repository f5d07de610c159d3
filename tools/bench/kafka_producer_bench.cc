// kafka_producer_bench: the ceiling for the gateway's Kafka publish path. One librdkafka
// producer writes the records the `kafka` backend writes for a QoS 1 PUBLISH (same topic
// naming, key = MQTT topic, the mqtt.* headers, idempotent, acks=all, built with the backend's
// own kafka_settings/kafka_record code), N records of S bytes with at most --window awaiting
// their delivery report, optionally paced (--rate). Prints one JSON line: records/s and the
// per-record produce-to-delivery-report latency. With --consume a consumer in the same process
// reads every partition as the backend's feed does (assign, no group, fetch.wait.max.ms 10,
// fetch.min.bytes 1) and adds the produce-to-consume latency: the floor of the gateway's
// end-to-end latency, since a node routes a message only once it comes back from Kafka.
//   kafka_producer_bench --bootstrap 127.0.0.1:9092 --instance k1 --records 200000
#include <CLI/CLI.hpp>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "histogram.h"
#include "kafka_admin.h"
#include "kafka_record.h"
#include "kafka_settings.h"
#include "payload.h"

namespace {

using mqgw::bench::Histogram;
using mqgw::bench::monoNs;

struct Options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string instance = "bench";
  std::string topicTemplate = "mqtt.{instance}.{parent}";
  std::string runId = "0";
  uint32_t topics = 10;           // MQTT topics bench/<run>/<i>, keys round-robin
  uint64_t records = 100000;      // measured
  uint64_t warmup = 2000;         // produced and delivered before measuring starts
  uint32_t size = 64;             // value bytes (>= 16: the mqgw-bench payload header)
  uint32_t window = 1000;         // records awaiting their delivery report at most
  uint32_t rate = 0;              // records/s, 0 = as fast as the window allows
  int partitions = 6;             // when the topic is created here
  int replicationFactor = 1;
  double timeout = 120;           // seconds for the whole run
  bool consume = false;
  std::vector<std::string> rdkafka;  // extra key=value, applied last
};

struct Run {
  uint64_t warmup = 0;
  std::vector<uint64_t> sentNs;   // per record index
  Histogram latency;              // ns, measured records only
  uint64_t inflight = 0, delivered = 0, failed = 0;
  uint64_t lastDeliveryNs = 0;
  uint32_t tag = 0;               // payload header `publisher`: tells this run's records apart
  std::string firstError;
};

// Reads every partition of the topic, with the settings the backend's feed uses. From the
// beginning, so no record is missed while the assignment settles; the run's tag skips records
// an earlier run left in the topic.
class EndToEnd {
 public:
  ~EndToEnd() { stop(); }
  bool start(const Options& o, const std::string& topic, int partitions, const Run& run,
             std::string* why) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"bootstrap.servers", o.bootstrap}, {"group.id", "kafka_producer_bench"},
             {"enable.auto.commit", "false"}, {"fetch.wait.max.ms", "10"},
             {"fetch.min.bytes", "1"}}) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        *why = k + ": " + err;
        rd_kafka_conf_destroy(conf);
        return false;
      }
    }
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_) {
      *why = err;
      rd_kafka_conf_destroy(conf);
      return false;
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t e = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      *why = std::string("assign: ") + rd_kafka_err2str(e);
      return false;
    }
    thread_ = std::thread([this, tag = run.tag, warmup = run.warmup] { loop(tag, warmup); });
    return true;
  }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (rk_) {
      rd_kafka_consumer_close(rk_);
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
    }
  }
  uint64_t consumed() const { return consumed_.load(); }
  uint64_t warmupConsumed() const { return warmupConsumed_.load(); }
  const Histogram& latency() const { return latency_; }  // after stop()

 private:
  void loop(uint32_t tag, uint64_t warmup) {
    while (!stop_.load()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50);
      if (!m) continue;
      mqgw::bench::PayloadHeader h;
      uint64_t now = monoNs();
      if (!m->err && mqgw::bench::readPayloadHeader(m->payload, m->len, h) && h.publisher == tag) {
        if (h.seq < warmup) {
          warmupConsumed_.fetch_add(1);
        } else {
          latency_.record(now - h.sentNs);
          consumed_.fetch_add(1);
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> consumed_{0}, warmupConsumed_{0};
  Histogram latency_;
};

void onDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* run = static_cast<Run*>(opaque);
  auto index = reinterpret_cast<uintptr_t>(m->_private);
  uint64_t now = monoNs();
  --run->inflight;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++run->failed;
    if (run->firstError.empty()) run->firstError = rd_kafka_err2str(m->err);
    return;
  }
  if (index < run->warmup) return;
  ++run->delivered;
  run->latency.record(now - run->sentNs[index]);
  run->lastDeliveryNs = now;
}

rd_kafka_t* makeProducer(const Options& o, Run* run, std::string* why) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> settings{
      {"bootstrap.servers", o.bootstrap}, {"enable.idempotence", "true"}, {"acks", "all"}};
  for (const std::string& kv : o.rdkafka) {
    size_t eq = kv.find('=');
    settings.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  char err[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      *why = key + ": " + err;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_conf_set_opaque(conf, run);
  rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    *why = err;
    rd_kafka_conf_destroy(conf);  // rd_kafka_new owns it only when it succeeds
  }
  return rk;
}

// One record as the backend writes it for a QoS 1 PUBLISH from client `clientId` on `mqttTopic`.
rd_kafka_resp_err_t produceOne(rd_kafka_t* rk, const mqgw::kafka::Settings& s,
                               const std::string& topic, const std::string& mqttTopic,
                               const std::string& clientId, std::vector<uint8_t>& payload,
                               uint64_t index, uint32_t tag, std::mt19937_64& rng) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {mqttTopic.data(), mqttTopic.size()};
  v.publisher_id = {clientId.data(), clientId.size()};
  v.qos = 1;
  uint64_t idHalves[2] = {rng(), index};
  std::memcpy(v.id, idHalves, sizeof v.id);
  v.created_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  mqgw::bench::writePayloadHeader(payload.data(), {monoNs(), tag, static_cast<uint32_t>(index)});
  std::string_view key = mqgw::kafka::recordKey(s, mqttTopic, clientId);
  rd_kafka_headers_t* headers = mqgw::kafka::recordHeaders(v);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_VALUE(payload.data(), payload.size()),
      RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_HEADERS(headers),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(index))), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);
  return err;
}

bool parse(int argc, char** argv, Options& o, int* exitCode) {
  CLI::App app{"kafka_producer_bench: raw librdkafka producer writing the gateway's records"};
  app.add_option("--bootstrap", o.bootstrap, "Kafka bootstrap servers");
  app.add_option("--instance", o.instance, "{instance} of the topic template");
  app.add_option("--topic-template", o.topicTemplate, "as the backend's topic_template");
  app.add_option("--run-id", o.runId, "MQTT topics are bench/<run-id>/<i>");
  app.add_option("--topics", o.topics, "MQTT topics (= keys), round-robin")
      ->check(CLI::Range(1, 100000));
  app.add_option("--records", o.records, "measured records")->check(CLI::Range(1, 100000000));
  app.add_option("--warmup", o.warmup, "records before measuring");
  app.add_option("--size", o.size, "value bytes (>= 16)")->check(CLI::Range(16, 1 << 20));
  app.add_option("--window", o.window, "records awaiting delivery at most")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--rate", o.rate, "records/s, 0 = as fast as the window allows");
  app.add_option("--partitions", o.partitions, "partitions if the topic is created here");
  app.add_option("--replication-factor", o.replicationFactor, "if the topic is created here");
  app.add_option("--timeout", o.timeout, "seconds for the whole run")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_flag("--consume", o.consume, "also measure produce-to-consume latency");
  app.add_option("-X", o.rdkafka, "extra librdkafka setting key=value (applied last)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exitCode = app.exit(e);
    return false;
  }
  return true;
}

// Produces warmup + records; returns 0, or 3 when the deadline cut the run short.
int produceAll(rd_kafka_t* rk, const Options& o, const mqgw::kafka::Settings& s,
               const std::string& topic, Run& run, const EndToEnd* e2e, uint64_t* measureFromNs,
               uint64_t deadlineNs) {
  std::vector<std::string> mqttTopics, clientIds;
  for (uint32_t i = 0; i < o.topics; ++i) {
    mqttTopics.push_back("bench/" + o.runId + "/" + std::to_string(i));
    clientIds.push_back("kpb" + o.runId + "-p" + std::to_string(i));
  }
  std::vector<uint8_t> payload(o.size, 'x');
  std::mt19937_64 rng{std::random_device{}()};
  const uint64_t total = run.warmup + o.records;
  uint64_t paceFrom = 0;
  for (uint64_t i = 0; i < total;) {
    uint64_t now = monoNs();
    if (now > deadlineNs) return 3;
    if (i == run.warmup) {
      // Measure from an empty pipeline: warm-up records are all delivered (and consumed) first.
      if (run.inflight > 0 || (e2e && e2e->warmupConsumed() < run.warmup)) {
        rd_kafka_poll(rk, 1);
        continue;
      }
      *measureFromNs = paceFrom = now;
    }
    bool due = o.rate == 0 || i < run.warmup ||
               now >= paceFrom + (i - run.warmup) * 1000000000ULL / o.rate;
    if (run.inflight >= o.window || !due) {
      rd_kafka_poll(rk, run.inflight >= o.window ? 1 : 0);
      if (!due) std::this_thread::sleep_for(std::chrono::microseconds(50));
      continue;
    }
    run.sentNs[i] = monoNs();
    uint32_t t = static_cast<uint32_t>(i % o.topics);
    rd_kafka_resp_err_t err =
        produceOne(rk, s, topic, mqttTopics[t], clientIds[t], payload, i, run.tag, rng);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
      continue;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      run.firstError = rd_kafka_err2str(err);
      return 2;
    }
    ++run.inflight;
    ++i;
    rd_kafka_poll(rk, 0);
  }
  while (run.inflight > 0) {
    if (monoNs() > deadlineNs) return 3;
    rd_kafka_poll(rk, 10);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  int exitCode = 0;
  if (!parse(argc, argv, o, &exitCode)) return exitCode;
  mqgw::kafka::Settings s;
  s.bootstrapServers = o.bootstrap;
  s.instance = o.instance;
  s.topicTemplate = o.topicTemplate;
  s.key = mqgw::kafka::KeyMode::kTopic;
  const std::string topic = mqgw::kafka::renderTopic(s, "bench/" + o.runId + "/0");
  Run run;
  run.warmup = o.warmup;
  run.tag = static_cast<uint32_t>(std::random_device{}());
  run.sentNs.resize(o.warmup + o.records);
  uint64_t deadline = monoNs() + static_cast<uint64_t>(o.timeout * 1e9);
  std::string why;
  rd_kafka_t* rk = makeProducer(o, &run, &why);
  int rc = 0;
  if (!rk) {
    rc = 2;
  } else if (topic.empty()) {
    why = "the topic template gives no valid Kafka topic";
    rc = 2;
  } else if (!mqgw::kafka::createTopics(rk, {{topic, o.partitions, o.replicationFactor, {}}},
                                        30000, &why) ||
             !mqgw::kafka::waitForLeaders(rk, topic, 30000)) {
    if (why.empty()) why = "no leader for every partition of " + topic;
    rc = 2;
  }
  EndToEnd e2e;
  if (rc == 0 && o.consume && !e2e.start(o, topic, o.partitions, run, &why)) rc = 2;
  uint64_t measureFrom = 0;
  if (rc == 0)
    rc = produceAll(rk, o, s, topic, run, o.consume ? &e2e : nullptr, &measureFrom, deadline);
  // The consumer may trail the delivery reports by a fetch; 10 s is plenty.
  uint64_t consumeBy = std::min<uint64_t>(deadline, monoNs() + 10000000000ULL);
  while (rc == 0 && o.consume && e2e.consumed() < run.delivered && monoNs() < consumeBy)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  e2e.stop();
  if (rk) {
    if (rc != 0) rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
  }
  double seconds = run.lastDeliveryNs > measureFrom && measureFrom
                       ? static_cast<double>(run.lastDeliveryNs - measureFrom) / 1e9 : 0;
  if (why.empty()) why = run.firstError;
  if (rc == 0 && run.failed > 0) rc = 4;
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  nlohmann::json j;
  j["topic"] = topic;
  j["partitions"] = o.partitions;
  j["records"] = o.records;
  j["size"] = o.size;
  j["window"] = o.window;
  j["rate"] = o.rate;
  j["delivered"] = run.delivered;
  j["failed"] = run.failed;
  j["duration_s"] = seconds;
  j["records_per_s"] = seconds > 0 ? static_cast<double>(run.delivered) / seconds : 0;
  j["lat_p50_us"] = us(run.latency.quantile(0.50));
  j["lat_p99_us"] = us(run.latency.quantile(0.99));
  j["lat_p999_us"] = us(run.latency.quantile(0.999));
  j["lat_max_us"] = us(run.latency.max());
  if (o.consume) {
    j["consumed"] = e2e.consumed();
    j["e2e_p50_us"] = us(e2e.latency().quantile(0.50));
    j["e2e_p99_us"] = us(e2e.latency().quantile(0.99));
    j["e2e_p999_us"] = us(e2e.latency().quantile(0.999));
    j["e2e_max_us"] = us(e2e.latency().max());
    if (rc == 0 && e2e.consumed() < run.delivered) rc = 5;
  }
  j["exit_code"] = rc;
  j["error"] = why;
  std::printf("%s\n", j.dump().c_str());
  return rc;
}
