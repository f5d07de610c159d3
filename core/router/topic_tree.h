// A topic tree of MQTT topic filters → T (e.g. a subscriber list), and the matching of a
// published topic name against it. One tree per worker thread: not thread-safe, no locks.
//
//   TopicTree<Subscribers> tree;
//   tree.insertOrGet("sensors/+/temp").push_back(s);
//   tree.match("sensors/kitchen/temp", [&](Subscribers& subs) { ... });
//
// Matching follows MQTT 5.0 §4.7: '+' matches exactly one level (an empty one too), '#' matches
// any number of levels including none ("a/#" matches "a"), a filter starting with a wildcard
// never matches a topic starting with '$', and empty levels are levels ("a//b" has three).
// The tree does not check syntax: validate filters with topic_rules.h before inserting.
//
// match() is the publish hot path. It does not allocate (after the first calls have grown its
// scratch stack) and does not copy the topic: levels are string_views, and children are looked
// up by string_view. Wildcard children sit beside the literal ones, so a level costs at most one
// hash lookup. The walk is iterative: deep topics cannot overflow the thread's stack.
#pragma once

#include "router/topic_levels.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mqgw::router {

template <class T>
class TopicTree {
 public:
  // The value stored for `filter`, default-constructed when the filter is new.
  T& insertOrGet(std::string_view filter) {
    Node* n = &root_;
    for (size_t pos = 0; pos != kEnd;) n = n->childOrCreate(nextLevel(filter, &pos));
    if (!n->value) {
      n->value.emplace();
      ++size_;
    }
    return *n->value;
  }

  T* find(std::string_view filter) {
    Node* n = &root_;
    for (size_t pos = 0; n && pos != kEnd;) n = n->childOrNull(nextLevel(filter, &pos));
    return n && n->value ? &*n->value : nullptr;
  }
  const T* find(std::string_view filter) const {
    return const_cast<TopicTree*>(this)->find(filter);
  }

  // Calls shouldRemove(T&) on the filter's value (it may edit it, e.g. drop one subscriber);
  // when it returns true the filter goes, and so do the nodes left with nothing under them.
  // Returns whether the filter was removed.
  template <class Pred>
  bool removeIf(std::string_view filter, Pred&& shouldRemove) {
    std::vector<std::pair<Node*, std::string_view>> path;  // (parent, level) per step
    Node* n = &root_;
    for (size_t pos = 0; n && pos != kEnd;) {
      std::string_view level = nextLevel(filter, &pos);
      path.emplace_back(n, level);
      n = n->childOrNull(level);
    }
    if (!n || !n->value || !shouldRemove(*n->value)) return false;
    n->value.reset();
    --size_;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      Node* parent = it->first;
      if (!parent->childOrNull(it->second)->empty()) break;
      parent->eraseChild(it->second);
    }
    return true;
  }
  bool remove(std::string_view filter) {
    return removeIf(filter, [](T&) { return true; });
  }

  // Calls onMatch(T&) once for every filter that matches `topic`, in no particular order.
  // onMatch must not insert or remove filters; it may call match() again.
  template <class F>
  void match(std::string_view topic, F&& onMatch) {
    const bool systemTopic = !topic.empty() && topic.front() == '$';
    std::vector<Frame> stack = std::move(stack_);  // a nested match() gets its own
    stack.clear();
    stack.push_back({&root_, 0});
    while (!stack.empty()) {
      Frame f = stack.back();
      stack.pop_back();
      Node* n = f.node;
      if (f.pos == kEnd) {  // every level consumed
        if (n->value) onMatch(*n->value);
        if (n->hash && n->hash->value) onMatch(*n->hash->value);  // "a/#" matches "a"
        continue;
      }
      size_t next = f.pos;
      std::string_view level = nextLevel(topic, &next);
      if (!(systemTopic && n == &root_)) {
        if (n->hash && n->hash->value) onMatch(*n->hash->value);
        if (n->plus) stack.push_back({n->plus.get(), next});
      }
      if (!n->children.empty()) {
        auto it = n->children.find(level);
        if (it != n->children.end()) stack.push_back({it->second.get(), next});
      }
    }
    stack_ = std::move(stack);
  }

  size_t size() const { return size_; }  // number of filters
  bool empty() const { return size_ == 0; }

 private:
  static constexpr size_t kEnd = kLevelsEnd;

  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, LevelHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus, hash;  // the "+" and "#" children
    std::optional<T> value;

    bool empty() const { return !value && !plus && !hash && children.empty(); }

    Node* childOrNull(std::string_view level) {
      if (level == "+") return plus.get();
      if (level == "#") return hash.get();
      auto it = children.find(level);
      return it == children.end() ? nullptr : it->second.get();
    }
    Node* childOrCreate(std::string_view level) {
      std::unique_ptr<Node>* slot = level == "+" ? &plus : level == "#" ? &hash : nullptr;
      if (!slot) {
        auto it = children.find(level);
        if (it == children.end()) it = children.emplace(std::string(level), nullptr).first;
        slot = &it->second;
      }
      if (!*slot) *slot = std::make_unique<Node>();
      return slot->get();
    }
    void eraseChild(std::string_view level) {
      if (level == "+") {
        plus.reset();
      } else if (level == "#") {
        hash.reset();
      } else {
        auto it = children.find(level);
        if (it != children.end()) children.erase(it);
      }
    }
  };

  struct Frame {
    Node* node;
    size_t pos;  // start of the next level to match, or kEnd
  };

  Node root_;
  size_t size_ = 0;
  std::vector<Frame> stack_;  // match()'s scratch, kept to avoid allocating per call
};

}  // namespace mqgw::router
