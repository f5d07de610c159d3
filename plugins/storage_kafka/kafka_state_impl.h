// StateStore's insides, shared by kafka_state.cc (start, writes, claims) and
// kafka_state_load.cc (load). Not for other users.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "claim_waiter.h"
#include "kafka_feed.h"
#include "kafka_producer.h"
#include "kafka_settings.h"
#include "kafka_state.h"
#include "kafka_state_follower.h"
#include "state_record.h"
#include "state_view.h"

namespace mqgw::kafka {

// The engine-agnostic cluster state (plugins/cluster_state), shared with other backends.
using cluster::ClaimRecord;
using cluster::ClaimWaiter;
using cluster::ControlRecord;
using cluster::decode;
using cluster::encode;
using cluster::ReleaseRecord;
using cluster::SessionRecord;
using cluster::StateView;

inline constexpr const char* kStateLog = "kafka";

struct StateStore::Impl {
  Impl(const mqgw_host_api* host, const Settings& settings, Producer& producer, Feed& feed,
       PartitionTable& table);

  // handlers of the state consumer's thread
  void onSessionsRecord(const rd_kafka_message_t* m);
  void onControlRecord(const rd_kafka_message_t* m);
  void onClaim(const ClaimRecord& c);
  void onRelease(const ReleaseRecord& r);
  // Answers a claim this node made: with the released state, or (r == nullptr or an empty
  // release) with the last state stored; MQGW_E_NOT_FOUND when there is none.
  void answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r);

  // load of a node that never stored a floor: store one now, wait (bounded) until Kafka has it
  bool writeFirstFloor(const std::vector<mqgw_position>& ends);
  int writeSessions(const std::string& key, const std::string* value);
  int writeControl(const std::string& key, const std::string& value);
  uint64_t newClaimId();

  const mqgw_host_api* host;
  const Settings settings;
  Producer& producer;
  Feed& feed;
  PartitionTable& table;
  const std::string sessionsTopic;
  const std::string retainedTopic;
  const std::string controlTopic;
  rd_kafka_conf_t* consumerConf = nullptr;  // from configure
  StateView view;
  StateFollower follower;
  ClaimWaiter waiter;
  bool started = false;

  std::mutex claimsMu;
  std::unordered_map<uint64_t, ClaimRecord> toAnswer;  // claims this node must release
  // This node's own claims not yet read back from control, by Client ID (the claim times in
  // ms): a claim from another node read before them is older than this node's connection.
  // The control topic's order decides who connected last, not the nodes' clocks.
  std::unordered_map<std::string, std::vector<uint64_t>> ownInFlight;  // guarded by claimsMu
  bool newerHere(const std::string& clientId);
  std::mt19937_64 random;                              // guarded by claimsMu
};

}  // namespace mqgw::kafka
