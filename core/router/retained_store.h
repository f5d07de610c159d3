// One worker's retained messages (MQTT 3.1.1 and 5.0 §3.3.1.3): a trie of topic levels → the
// last retained message of that topic. Every stored message reaches every worker's router, so
// every worker keeps its own copy of the store and none takes a lock; the messages themselves
// are shared (refcounted), so a copy costs a pointer per topic, not the payload.
//
//   RetainedStore store;
//   store.update(msg);                       // msg->view.retain == 1: set, replace or clear
//   store.match("sensors/+/temp", [&](mqgw_message* m) { ... });
//
// Not thread-safe. Memory is not bounded yet (no config limit); durability comes with storage.
#pragma once

#include "router/topic_levels.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct mqgw_message;

namespace mqgw::router {

class RetainedStore {
 public:
  RetainedStore() = default;
  ~RetainedStore();  // releases every message
  RetainedStore(const RetainedStore&) = delete;
  RetainedStore& operator=(const RetainedStore&) = delete;

  // For a message published with RETAIN: a non-empty payload replaces the topic's retained
  // message (the store takes its own reference); an empty payload clears it.
  // Returns the change in size(): +1, 0 or -1.
  int update(mqgw_message* msg);

  // Calls onMatch for every retained message whose topic matches the (valid) topic filter,
  // in no particular order. A filter starting with '+' or '#' never matches a '$' topic, and
  // "a/#" matches "a" (MQTT 5 §4.7). The callback must not modify the store; it may take refs.
  void match(std::string_view filter, const std::function<void(mqgw_message*)>& onMatch) const;

  mqgw_message* find(std::string_view topic) const;  // no reference taken; nullptr when none
  size_t size() const { return size_; }

 private:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, LevelHash, std::equal_to<>> children;
    mqgw_message* msg = nullptr;  // one reference owned by the store
  };

  void set(std::string_view topic, mqgw_message* msg);
  bool clear(std::string_view topic);
  static void releaseAll(Node& n);

  Node root_;
  size_t size_ = 0;
};

}  // namespace mqgw::router
