// The core's message object behind the opaque mqgw_message handle: one allocation holding the
// view and copies of every byte it points to, shared (refcounted) by every worker it fans out to.
#pragma once

#include <atomic>
#include <cstdint>

#include "mqgw/plugin_abi.h"

struct mqgw_message {
  std::atomic<uint32_t> refs;
  mqgw_message_view view;
  mqgw_position pos;  // set once by a durable backend before it feeds the message
  bool hasPos;
  // followed by the user-property array and the bytes of every string, in one block
};

namespace mqgw::message {

mqgw_message* create(const mqgw_message_view& v);  // copies; refcount 1; assigns id and time
// The same, keeping v's id and created_ms: a message read back from storage.
mqgw_message* restore(const mqgw_message_view& v);
inline void ref(mqgw_message* m) { m->refs.fetch_add(1, std::memory_order_relaxed); }
void unref(mqgw_message* m);

// 16-byte, time-sortable, unique ID: 48-bit ms since the epoch, 16-bit process tag, 16-bit
// thread tag, 48-bit per-thread counter (big-endian, so byte order sorts like time; within one
// millisecond, one thread's IDs sort in creation order).
void newId(uint8_t out[16], uint64_t nowMs);

}  // namespace mqgw::message
