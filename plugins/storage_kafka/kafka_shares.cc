#include "kafka_shares.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "kafka_conf.h"
#include "kafka_share_consumer.h"
#include "kafka_share_topics.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";

std::string keyOf(const std::string& group, const std::string& filter) {
  return group + '\0' + filter;
}

}  // namespace

struct Shares::Impl {
  struct Member {
    int refs = 0;
    std::unique_ptr<ShareConsumer> consumer;
  };

  Impl(const mqgw_host_api* h, const Settings& s, PartitionTable& t)
      : host(h), settings(s), table(t) {}

  bool configure(std::string* why);
  int join(const std::string& group, const std::string& filter);
  int leave(const std::string& group, const std::string& filter);
  void stop();
  void reapFinished();  // with mu held

  const mqgw_host_api* host;
  const Settings settings;
  PartitionTable& table;
  rd_kafka_conf_t* base = nullptr;  // every share consumer's settings but group.id
  ShareMetrics metrics;
  std::mutex mu;
  std::map<std::string, Member> members;                 // by keyOf(group, filter)
  std::vector<std::unique_ptr<ShareConsumer>> closing;  // left, still closing on their thread
  bool stopped = false;
};

Shares::Shares(const mqgw_host_api* host, const Settings& settings, PartitionTable& table)
    : impl_(std::make_unique<Impl>(host, settings, table)) {
  impl_->metrics.fed = host->metric_register(
      "mqgw_storage_kafka_share_fed_total",
      "Records this node took for its $share groups and handed to the core", 0);
  impl_->metrics.skipped = host->metric_register(
      "mqgw_storage_kafka_share_skipped_total",
      "Records a $share consumer read that match no filter or are not MQTT messages", 0);
}

Shares::~Shares() {
  stop();
  if (impl_->base) rd_kafka_conf_destroy(impl_->base);
}

bool Shares::configure(std::string* why) { return impl_->configure(why); }
void Shares::stop() { impl_->stop(); }

int Shares::join(mqgw_str group, mqgw_str filter) {
  return impl_->join({group.ptr, group.len}, {filter.ptr, filter.len});
}

int Shares::leave(mqgw_str group, mqgw_str filter) {
  return impl_->leave({group.ptr, group.len}, {filter.ptr, filter.len});
}

bool Shares::Impl::configure(std::string* why) {
  if (base) rd_kafka_conf_destroy(base);
  base = rd_kafka_conf_new();
  // Offsets are stored by hand once a record reached the core, and committed from there
  // every second (what a crashed node fed since its last commit, the next owner feeds again).
  // Partitions no member committed start where kafka_share_consumer.cc says; `latest` is
  // only the fallback when Kafka cannot tell. Frequent heartbeats let a rebalance (a node
  // joining or leaving the group) finish in about a second instead of the default three or
  // more; a short metadata refresh finds new data topics (regex subscriptions, or the literal
  // topic created after the join) quickly.
  const std::pair<const char*, std::string> ours[] = {
      {"bootstrap.servers", settings.bootstrapServers},
      {"enable.auto.commit", "true"},
      {"enable.auto.offset.store", "false"},
      {"auto.commit.interval.ms", "1000"},
      {"heartbeat.interval.ms", "500"},
      {"auto.offset.reset", "latest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"fetch.wait.max.ms", "10"},
      {"fetch.min.bytes", "1"},
      {"topic.metadata.refresh.interval.ms", std::to_string(settings.discoveryIntervalMs)},
  };
  for (const auto& [key, value] : ours)
    if (!setConf(base, key, value, why)) return false;
  for (const auto& [key, value] : settings.rdkafka)
    if (!setConf(base, key, value, why)) return false;
  return true;
}

int Shares::Impl::join(const std::string& group, const std::string& filter) {
  std::lock_guard lock(mu);
  reapFinished();
  if (stopped || !base) return MQGW_E_UNAVAILABLE;
  Member& member = members[keyOf(group, filter)];
  if (member.refs++ > 0) return MQGW_OK;
  std::string subscription = shareSubscription(settings, filter);
  std::string why;
  if (subscription.empty()) {
    why = "topic_template gives no valid Kafka topic for it";
  } else {
    member.consumer = std::make_unique<ShareConsumer>(host, table, metrics, group, filter);
    if (member.consumer->start(base, shareGroupId(settings, group, filter), subscription, &why)) {
      host->log(MQGW_LOG_DEBUG, kName, "share %s %s: joined Kafka group %s on %s",
                group.c_str(), filter.c_str(), shareGroupId(settings, group, filter).c_str(),
                subscription.c_str());
      return MQGW_OK;
    }
  }
  host->log(MQGW_LOG_ERROR, kName, "share %s %s: cannot join: %s", group.c_str(),
            filter.c_str(), why.c_str());
  members.erase(keyOf(group, filter));
  return subscription.empty() ? MQGW_E_INVAL : MQGW_E_UNAVAILABLE;
}

// Called on a gateway loop: the close (commit, leave the group) runs on the consumer's own
// thread; stop() or a later join/leave joins it.
int Shares::Impl::leave(const std::string& group, const std::string& filter) {
  std::lock_guard lock(mu);
  reapFinished();
  auto it = members.find(keyOf(group, filter));
  if (it == members.end()) return MQGW_E_NOT_FOUND;
  if (--it->second.refs > 0) return MQGW_OK;
  it->second.consumer->requestClose();
  closing.push_back(std::move(it->second.consumer));
  members.erase(it);
  return MQGW_OK;
}

void Shares::Impl::reapFinished() {
  for (auto it = closing.begin(); it != closing.end();) {
    if ((*it)->finished()) {
      (*it)->join();
      it = closing.erase(it);
    } else {
      ++it;
    }
  }
}

// All consumers close at once (each on its thread), then every thread is joined: no host call
// after this returns.
void Shares::Impl::stop() {
  std::vector<std::unique_ptr<ShareConsumer>> all;
  {
    std::lock_guard lock(mu);
    stopped = true;
    for (auto& [key, member] : members) all.push_back(std::move(member.consumer));
    members.clear();
    for (auto& consumer : closing) all.push_back(std::move(consumer));
    closing.clear();
  }
  for (auto& consumer : all) consumer->requestClose();
  for (auto& consumer : all) consumer->join();
}

}  // namespace mqgw::kafka
