// The values of the cluster state records: a session, a node's floor (both in the shared
// sessions store; Kafka: the `sessions` topic), and a claim or a release (in the shared control
// channel; Kafka: the `control` topic, storage_kafka/kafka_state.h). Every value is one byte of
// format version, one byte of kind, then the kind's fields in a fixed order: integers big-endian
// and of fixed width, strings and byte strings as a u32 length and the bytes, position lists as
// a u32 count and per position {string topic, i32 partition, i64 offset}. A newer writer may
// append fields (readers ignore trailing bytes); anything else needs a new version, which older
// readers reject.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "named_position.h"

namespace mqgw::cluster {

inline constexpr uint8_t kStateRecordVersion = 1;

// key = Client ID. An empty cursor: the session follows its owner's floor.
struct SessionRecord {
  std::string owner;  // node_id
  std::string state;  // the core's opaque record (session_put)
  std::vector<NamedPosition> cursor;
  uint64_t updatedMs = 0;
};

// key = floorKey(node)
struct FloorRecord {
  std::string node;
  std::vector<NamedPosition> floor;
  uint64_t updatedMs = 0;
};

// "node now serves clientId"; with takeState, expectedOwner must answer with a release.
struct ClaimRecord {
  uint64_t claimId = 0;
  std::string node;
  std::string clientId;
  bool takeState = false;
  uint64_t timeMs = 0;  // wall clock
  std::string expectedOwner;
};

// The answer to a claim: the session's final state (empty: `from` did not hold it) and cursor
// (empty: it followed `from`'s floor).
struct ReleaseRecord {
  uint64_t claimId = 0;
  std::string from;
  std::string to;
  std::string clientId;
  std::string state;
  std::vector<NamedPosition> cursor;
};

using ControlRecord = std::variant<ClaimRecord, ReleaseRecord>;

// "\0floor:<node>": MQTT Client IDs cannot contain U+0000, so no session has this key.
std::string floorKey(std::string_view node);
// The node a floor key names; false for any other key.
bool isFloorKey(std::string_view key, std::string* node);

std::string encode(const SessionRecord& r);
std::string encode(const FloorRecord& r);
std::string encode(const ClaimRecord& r);
std::string encode(const ReleaseRecord& r);

// False on a truncated value, an unknown version or a value of another kind.
bool decode(std::string_view bytes, SessionRecord* out);
bool decode(std::string_view bytes, FloorRecord* out);
bool decode(std::string_view bytes, ControlRecord* out);

}  // namespace mqgw::cluster
