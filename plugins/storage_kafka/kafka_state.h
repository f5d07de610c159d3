// Durable state in Kafka, shared by every node of an instance (docs/decisions/0005):
//  - `<state_prefix>sessions` (compacted): key = Client ID, value = the session's record
//    (owner node, the core's opaque state, its cursor as named positions; empty cursor = it
//    follows its owner's floor); key "\0floor:<node_id>" = that node's floor. Every node reads
//    the whole topic at start and follows it, so it knows every stored session and its owner.
//  - `<state_prefix>retained` (compacted): key = MQTT topic, value = the core's message record
//    (host->message_encode); an empty retained payload is a tombstone.
//  - `<state_prefix>control` (delete, short retention): claims ("node B now serves Client ID C")
//    and releases (the final state A hands to B), read by every node from its end at start.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

class Producer;
class Feed;

class StateStore {
 public:
  StateStore(const mqgw_host_api* host, const Settings& settings, Producer& producer,
             Feed& feed, PartitionTable& table);
  ~StateStore();  // stops
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  bool configure(std::string* why);
  // Creates the three state topics if missing, and the consumers that follow them.
  int start();
  void stop();

  // storage op `load`: reads sessions and retained to their current end; visits this node's
  // sessions (owner == node_id), this node's floor — or, for a node that never stored one, the
  // end offsets of every data partition (Feed::endOffsets: a new node starts at "now") with
  // offset 0 for partitions its floor does not name — and every retained message.
  int load(const mqgw_load_visitor* v);

  // Storage ops on session state (this node owns what it writes).
  int putSession(mqgw_str clientId, const uint8_t* state, size_t len);
  int deleteSession(mqgw_str clientId);
  int putCursors(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors, uint32_t nFloors);

  // Storage op `session_claim` / `session_release` (host_api.h), over the control topic.
  int claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg);
  int release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
              const mqgw_position* next, uint32_t n);

  // The retained topic: the append path calls this for every message with the retain flag;
  // done(arg, status) once Kafka has it (status as in Producer's delivery reports).
  int putRetained(const mqgw_message* msg, mqgw_append_cb done, void* arg);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::kafka
