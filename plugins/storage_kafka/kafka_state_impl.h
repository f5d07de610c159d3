// StateStore's insides, shared by kafka_state.cc (start, writes, claims) and
// kafka_state_load.cc (load). Not for other users.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kafka_feed.h"
#include "kafka_producer.h"
#include "kafka_settings.h"
#include "kafka_state.h"
#include "kafka_state_follower.h"
#include "session_claims.h"
#include "state_record.h"
#include "state_view.h"

namespace mqgw::kafka {

// The engine-agnostic cluster state (plugins/cluster_state), shared with other backends.
using cluster::ControlRecord;
using cluster::decode;
using cluster::encode;
using cluster::SessionClaims;
using cluster::StateView;

inline constexpr const char* kStateLog = "kafka";

struct StateStore::Impl {
  Impl(const mqgw_host_api* host, const Settings& settings, Producer& producer, Feed& feed,
       PartitionTable& table);

  // handlers of the state consumer's thread
  void onSessionsRecord(const rd_kafka_message_t* m);
  void onControlRecord(const rd_kafka_message_t* m);

  // load of a node that never stored a floor: store one now, wait (bounded) until Kafka has it
  bool writeFirstFloor(const std::vector<mqgw_position>& ends);
  int writeSessions(const std::string& key, const std::string* value);
  int writeControl(const std::string& key, const std::string& value);

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
  SessionClaims claims;  // claims and releases over the control topic
  bool started = false;
};

}  // namespace mqgw::kafka
