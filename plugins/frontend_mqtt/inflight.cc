#include "inflight.h"

#include <bit>

namespace mqgw::mqttfe {
namespace {
constexpr uint32_t kInitialSlots = 16;
}

InflightTable::InflightTable(uint32_t window)
    : window_(window == 0 ? 1 : (window > 65535 ? 65535 : window)),
      maxSlots_(std::bit_ceil(window_ + 1)) {
  // +1 above: slot 0 can only be reused by ids that are multiples of the slot count, and with
  // 65536 slots id 0 is never valid, so one spare slot keeps a free id always reachable.
  slots_.resize(maxSlots_ < kInitialSlots ? maxSlots_ : kInitialSlots);
}

void InflightTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  // Ids distinct modulo the old size stay distinct modulo a larger power of two.
  for (const Slot& s : old)
    if (s.wait != AckWait::None) slots_[slotOf(s.id)] = s;
}

uint16_t InflightTable::add(AckWait wait) {
  if (count_ + 1 >= slots_.size() && slots_.size() < maxSlots_) grow();
  for (;;) {
    uint16_t id = nextId_;
    nextId_ = nextId_ == 65535 ? 1 : static_cast<uint16_t>(nextId_ + 1);
    Slot& s = slots_[slotOf(id)];
    if (s.wait != AckWait::None) continue;  // an older message still holds this slot
    s.id = id;
    s.wait = wait;
    s.seq = ++seq_;
    s.owed = {};
    ++count_;
    ++adds_;
    lastId_ = id;
    return id;
  }
}

bool InflightTable::restore(uint16_t id, AckWait wait) {
  if (id == 0 || wait == AckWait::None) return false;
  while (slots_[slotOf(id)].wait != AckWait::None && slots_.size() < maxSlots_) grow();
  Slot& s = slots_[slotOf(id)];
  if (s.wait != AckWait::None) return false;
  if (count_ + 1 >= slots_.size() && slots_.size() < maxSlots_) grow();
  Slot& slot = slots_[slotOf(id)];
  slot.id = id;
  slot.wait = wait;
  slot.seq = ++seq_;
  slot.owed = {};
  ++count_;
  return true;
}

void InflightTable::attach(uint16_t id, const Owed& owed) {
  Slot& s = slots_[slotOf(id)];
  if (s.id == id && s.wait != AckWait::None) s.owed = owed;
}

InflightTable::Owed InflightTable::detach(uint16_t id) {
  Slot& s = slots_[slotOf(id)];
  if (s.id != id || s.wait == AckWait::None) return {};
  Owed owed = s.owed;
  s.owed = {};
  remove(id);
  return owed;
}

AckWait InflightTable::waiting(uint16_t id) const {
  const Slot& s = slots_[slotOf(id)];
  return s.id == id ? s.wait : AckWait::None;
}

void InflightTable::set(uint16_t id, AckWait wait) {
  Slot& s = slots_[slotOf(id)];
  if (s.id == id && s.wait != AckWait::None) s.wait = wait;
}

void InflightTable::remove(uint16_t id) {
  Slot& s = slots_[slotOf(id)];
  if (s.id != id || s.wait == AckWait::None) return;
  s.wait = AckWait::None;
  --count_;
}

}  // namespace mqgw::mqttfe
