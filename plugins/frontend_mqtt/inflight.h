// Outbound QoS 1/2 messages awaiting acknowledgement, keyed by packet identifier.
//
// Identifiers are handed out in sequence and live in slot (id & mask). A new id skips ids whose
// slot is still taken, so two ids in flight never share a slot: lookups are O(1) with no hashing
// and no per-message allocation. The slot array starts small and doubles up to the window.
#pragma once

#include <algorithm>
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
  // The id the last add() returned, and how many add() calls there have been (to tell whether
  // a send took an id).
  uint16_t lastAdded() const { return lastId_; }
  uint64_t addCount() const { return adds_; }
  // Puts `id` back in flight as it was on a previous connection (a resumed session). False when
  // it is already in use.
  bool restore(uint16_t id, AckWait wait);

  // The message an id carries, kept for redelivery if the session outlives the connection.
  // The table holds the pointer only; the caller owns the reference.
  struct Owed {
    void* msg = nullptr;
    uint8_t qos = 0;
    uint8_t retain = 0;
    uint32_t subscriptionId = 0;
  };
  void attach(uint16_t id, const Owed& owed);
  Owed detach(uint16_t id);  // and remove(id)
  const void* owedMessage(uint16_t id) const {
    const Slot& s = slots_[slotOf(id)];
    return s.wait != AckWait::None && s.id == id ? s.owed.msg : nullptr;
  }
  // Calls f(id, wait, owed) for every id in flight, oldest first.
  template <class F>
  void forEachInOrder(F&& f) const {
    std::vector<const Slot*> live;
    for (const Slot& s : slots_)
      if (s.wait != AckWait::None) live.push_back(&s);
    std::sort(live.begin(), live.end(), [](const Slot* a, const Slot* b) { return a->seq < b->seq; });
    for (const Slot* s : live) f(s->id, s->wait, s->owed);
  }
  // AckWait::None when the id is not in flight.
  AckWait waiting(uint16_t id) const;
  void set(uint16_t id, AckWait wait);
  void remove(uint16_t id);

 private:
  struct Slot {
    uint16_t id = 0;
    AckWait wait = AckWait::None;
    uint32_t seq = 0;  // order of sending, for redelivery in the original order
    Owed owed;
  };
  size_t slotOf(uint16_t id) const { return id & (slots_.size() - 1); }
  void grow();

  std::vector<Slot> slots_;
  uint32_t window_;
  uint32_t count_ = 0;
  uint32_t maxSlots_;
  uint16_t nextId_ = 1;
  uint16_t lastId_ = 0;
  uint64_t adds_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace mqgw::mqttfe
