// Plain value types shared by the native backend's state store. Nothing here knows MQTT:
// client ids, topics, session states and retained records are opaque bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace mqgw::native {

// A stored message's place in the log (mirrors mqgw_position in host_api.h).
struct Position {
  uint32_t partition = 0;
  uint64_t offset = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// One session's replay cursor: the first unsettled position per partition. An empty `next`
// means the session has nothing outstanding and follows the node floor (stored as NULL).
// Views only: the store copies what it keeps, so the plugin glue can pass mqgw_cursor
// fields straight through without allocating.
struct CursorRow {
  std::string_view clientId;
  std::span<const Position> next;
};

// What StateStore::load() streams back, one row at a time; the spans are valid only for the
// duration of the call.
class StateVisitor {
 public:
  virtual ~StateVisitor() = default;
  virtual void onSession(std::string_view clientId, std::span<const uint8_t> state,
                         std::span<const Position> cursor) = 0;
  virtual void onFloor(Position floor) = 0;
  virtual void onRetained(std::string_view topic, std::span<const uint8_t> record) = 0;
  virtual void onMeta(std::string_view key, uint64_t value) = 0;
};

}  // namespace mqgw::native
