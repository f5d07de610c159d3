// StateStore's insides, shared by amqp_state.cc (start, writes, the state stream's records),
// amqp_state_claims.cc (claims and releases over the control stream) and amqp_state_load.cc
// (load). Not for other users.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "amqp_connection.h"
#include "amqp_feed.h"
#include "amqp_publisher.h"
#include "amqp_settings.h"
#include "amqp_state.h"
#include "amqp_state_follower.h"
#include "amqp_state_record.h"
#include "session_claims.h"
#include "state_record.h"
#include "state_view.h"

namespace mqgw::amqp {

// The engine-agnostic cluster state (plugins/cluster_state), shared with the Kafka backend.
using cluster::ControlRecord;
using cluster::NamedPosition;
using cluster::SessionClaims;
using cluster::StateView;

inline constexpr const char* kStateLog = "amqp";

uint64_t wallMs();

struct StateStore::Impl {
  Impl(const mqgw_host_api* host, const Settings& settings, Publisher& publisher, Feed& feed);

  // the state follower's thread
  void onStateRecord(int64_t offset, const Delivery& d);
  void onRetained(std::string_view topic, std::string_view body);
  // the control follower's thread
  void onControlRecord(int64_t offset, const Delivery& d);

  // load of a node that never stored a floor: store one at `end`, wait (bounded) for the confirm
  bool writeFirstFloor(uint64_t end);
  // StateView's writes: the session or floor record of `key` (nullptr: deleted)
  int writeSession(const std::string& key, const std::string* value);
  StateView::Write sessionWriter() {
    return [this](const std::string& k, const std::string* v) { return writeSession(k, v); };
  }
  int writeControl(StateKind kind, const std::string& clientId, const std::string& value);

  const mqgw_host_api* host;
  const Settings settings;
  Publisher& publisher;
  Feed& feed;
  const std::string logStream;  // the name in every NamedPosition
  const std::string stateStream;
  const std::string controlStream;
  StateView view;
  StreamFollower stateFollower;
  StreamFollower controlFollower;
  SessionClaims claims;  // claims and releases over the control stream
  bool started = false;

  // Retained messages as read from the state stream, by core topic (encoded records); only
  // until load took them: afterwards the core keeps retained messages from the feed.
  std::mutex retainedMu;
  std::map<std::string, std::string> retained;
  bool retainedTaken = false;
};

}  // namespace mqgw::amqp
