// StateStore's insides, shared by amqp_state.cc (start, writes, the state stream's records),
// amqp_state_claims.cc (claims and releases over the control stream) and amqp_state_load.cc
// (load). Not for other users.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "amqp_connection.h"
#include "amqp_feed.h"
#include "amqp_publisher.h"
#include "amqp_settings.h"
#include "amqp_state.h"
#include "amqp_state_follower.h"
#include "amqp_state_record.h"
#include "claim_waiter.h"
#include "state_record.h"
#include "state_view.h"

namespace mqgw::amqp {

// The engine-agnostic cluster state (plugins/cluster_state), shared with the Kafka backend.
using cluster::ClaimRecord;
using cluster::ClaimWaiter;
using cluster::ControlRecord;
using cluster::NamedPosition;
using cluster::ReleaseRecord;
using cluster::SessionRecord;
using cluster::StateView;

inline constexpr const char* kStateLog = "amqp";

uint64_t wallMs();

// Publisher::publishTo with one contract whatever the publisher does on a refusal: an error
// returned means cb is never called; MQGW_OK means it is called exactly once, later.
int publishOnce(Publisher& p, const std::string& stream, OutgoingMessage msg, mqgw_append_cb cb,
                void* arg);

struct StateStore::Impl {
  Impl(const mqgw_host_api* host, const Settings& settings, Publisher& publisher, Feed& feed);

  // the state follower's thread
  void onStateRecord(int64_t offset, const Delivery& d);
  void onRetained(std::string_view topic, std::string_view body);
  // the control follower's thread
  void onControlRecord(int64_t offset, const Delivery& d);
  void onClaim(const ClaimRecord& c);
  void onRelease(const ReleaseRecord& r);
  // Answers a claim this node made: with the released state, or (r == nullptr or an empty
  // release) with the last state stored; MQGW_E_NOT_FOUND when there is none.
  void answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r);

  // load of a node that never stored a floor: store one at `end`, wait (bounded) for the confirm
  bool writeFirstFloor(uint64_t end);
  // StateView's writes: the session or floor record of `key` (nullptr: deleted)
  int writeSession(const std::string& key, const std::string* value);
  StateView::Write sessionWriter() {
    return [this](const std::string& k, const std::string* v) { return writeSession(k, v); };
  }
  int writeControl(StateKind kind, const std::string& clientId, const std::string& value);
  uint64_t newClaimId();
  bool newerHere(const std::string& clientId);
  void ownClaimRead(const std::string& clientId, uint64_t claimId);

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
  ClaimWaiter waiter;
  bool started = false;

  // Retained messages as read from the state stream, by core topic (encoded records); only
  // until load took them: afterwards the core keeps retained messages from the feed.
  std::mutex retainedMu;
  std::map<std::string, std::string> retained;
  bool retainedTaken = false;

  std::mutex claimsMu;
  std::unordered_map<uint64_t, ClaimRecord> toAnswer;  // claims this node must release
  // This node's own claims not yet read back from control, by Client ID (claim id, wall time
  // sent): a claim from another node read before them is older than this node's connection.
  // The control stream's order decides who connected last, not the nodes' clocks.
  std::unordered_map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> ownInFlight;
  std::mt19937_64 random;  // guarded by claimsMu
};

}  // namespace mqgw::amqp
