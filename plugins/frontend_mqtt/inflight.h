// Outbound QoS 1/2 messages awaiting acknowledgement, keyed by packet identifier.
//
// Identifiers are handed out in sequence and live in slot (id & mask). A new id skips ids whose
// slot is still taken, so two ids in flight never share a slot: lookups are O(1) with no hashing
// and no per-message allocation. The slot array starts small and doubles up to the window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mqgw::mqttfe {

enum class AckWait : uint8_t { None, Puback, Pubrec, Pubcomp };

class InflightTable {
 public:
  explicit InflightTable(uint32_t window);

  bool full() const { return count_ >= window_; }
  uint32_t size() const { return count_; }
  uint32_t window() const { return window_; }

  // Takes the next free packet identifier for a message now waiting for `wait`. Requires !full().
  uint16_t add(AckWait wait);
  // AckWait::None when the id is not in flight.
  AckWait waiting(uint16_t id) const;
  void set(uint16_t id, AckWait wait);
  void remove(uint16_t id);

 private:
  struct Slot {
    uint16_t id = 0;
    AckWait wait = AckWait::None;
  };
  size_t slotOf(uint16_t id) const { return id & (slots_.size() - 1); }
  void grow();

  std::vector<Slot> slots_;
  uint32_t window_;
  uint32_t count_ = 0;
  uint32_t maxSlots_;
  uint16_t nextId_ = 1;
};

}  // namespace mqgw::mqttfe
