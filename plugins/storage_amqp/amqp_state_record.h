// The records of the state and control streams as AMQP messages, and positions as the state
// records name them. Every record carries headers mqgw.kind and mqgw.key; its body is the
// value (an empty body: the key was deleted). A marker carries mqgw.marker (a unique string)
// and no key: a node publishes one to learn where a stream ends; every reader skips markers.
// Pure functions; no RabbitMQ here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amqp_record.h"
#include "mqgw/plugin_abi.h"
#include "named_position.h"

namespace mqgw::amqp {

class Delivery;

inline constexpr std::string_view kKindHeader = "mqgw.kind";
inline constexpr std::string_view kKeyHeader = "mqgw.key";
inline constexpr std::string_view kMarkerHeader = "mqgw.marker";

enum class StateKind {
  kSession,   // state stream: cluster::SessionRecord, or a FloorRecord under floorKey(node)
  kRetained,  // state stream: key = core MQTT topic, body = host->message_encode
  kMeta,      // state stream: console metadata (meta_put)
  kClaim,     // control stream: cluster::ClaimRecord, key = Client ID
  kRelease,   // control stream: cluster::ReleaseRecord, key = Client ID
  kMarker,
  kUnknown,   // a kind a newer node wrote: readers skip it
};

std::string_view kindName(StateKind kind);
StateKind kindOf(std::string_view name);

// One record to publish (Publisher::publishTo the stream).
OutgoingMessage stateRecord(StateKind kind, std::string_view key, std::string_view body);
OutgoingMessage markerRecord(std::string_view markerId);

// A delivery of the state or control stream, viewed (points into the Delivery).
struct StateEntry {
  StateKind kind = StateKind::kUnknown;
  std::string_view key;
  std::string_view body;
  std::string_view marker;  // kMarker only
};

// False when the delivery is not a record of ours: no mqgw.kind or no mqgw.key (a marker
// needs only mqgw.marker).
bool readStateEntry(const Delivery& d, StateEntry* out);

// Core positions ↔ named positions. The log is one stream with one partition (0): named as
// {logStream, 0, offset}; other partitions and other names are dropped.
std::vector<cluster::NamedPosition> namedPositions(const std::string& logStream,
                                                   const mqgw_position* p, uint32_t n);
std::vector<mqgw_position> corePositions(const std::string& logStream,
                                         const std::vector<cluster::NamedPosition>& p);

}  // namespace mqgw::amqp
