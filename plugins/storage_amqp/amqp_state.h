// Durable state in RabbitMQ streams, shared by every node of an instance (decision 0007):
//  - <prefix>state: one record per change, read whole by every node at start and followed
//    after: sessions and node floors (cluster::SessionRecord / FloorRecord, keys as in
//    cluster::StateView), retained messages (key = MQTT topic, body = host->message_encode,
//    empty body = cleared), console metadata (meta_put; empty body = deleted). Each record:
//    headers mqgw.kind ("session", "retained", "meta", "marker") and mqgw.key; body = value;
//    a session record with an empty body is a deletion (tombstone).
//  - <prefix>control: claims and releases (cluster::ClaimRecord / ReleaseRecord), read by every
//    node from "next" at start (only claims made while it runs concern it).
// The latest record per key wins (RabbitMQ streams are not compacted: decision 0007 says what
// that costs). load() knows it has read everything once it reads back the marker it published
// after subscribing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Publisher;
class Feed;

class StateStore {
 public:
  StateStore(const mqgw_host_api* host, const Settings& settings, Publisher& publisher,
             Feed& feed);
  ~StateStore();  // stop()
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Starts the two consumer threads (state follower, control follower); each owns a
  // Connection and reconnects with backoff.
  int start();
  void stop();

  // storage op load: reads <prefix>state to its end; hands every meta record to
  // host->storage_meta (in stream order, before anything else is visited), then this node's
  // sessions (owner == node_id) with their cursors, this node's floor — or, for a node that
  // never stored one, {0, Feed::endOffset()} — and every retained message still set.
  int load(const mqgw_load_visitor* v);

  // Storage ops on session state (as the Kafka backend: cluster::StateView decides what to write).
  int putSession(mqgw_str clientId, const uint8_t* state, size_t len);
  int deleteSession(mqgw_str clientId);
  int putCursors(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors, uint32_t nFloors);
  int claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg);
  int release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
              const mqgw_position* next, uint32_t n);

  // A retained message (retain flag set) recorded for load; done(arg, status) once confirmed.
  int putRetained(const mqgw_message* msg, mqgw_append_cb done, void* arg);
  // storage op meta_put; other nodes' records reach host->storage_meta through the follower.
  int putMeta(mqgw_str key, const uint8_t* value, size_t len);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::amqp
