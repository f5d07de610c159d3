#include "router/retained_store.h"

#include <utility>
#include <vector>

#include "message/message.h"

namespace mqgw::router {
namespace {
constexpr size_t kEnd = kLevelsEnd;
}  // namespace

RetainedStore::~RetainedStore() { releaseAll(root_); }

// Iterative: a topic may have thousands of levels, and neither the walk nor the nodes'
// destructors may recurse that deep on a worker's stack.
void RetainedStore::releaseAll(Node& root) {
  std::vector<std::unique_ptr<Node>> pending;
  for (auto& [level, child] : root.children) pending.push_back(std::move(child));
  root.children.clear();
  if (root.msg) message::unref(std::exchange(root.msg, nullptr));
  while (!pending.empty()) {
    std::unique_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n->msg) message::unref(n->msg);
    for (auto& [level, child] : n->children) pending.push_back(std::move(child));
  }
}

int RetainedStore::update(mqgw_message* msg) {
  const mqgw_message_view& v = msg->view;
  std::string_view topic(v.topic.ptr, v.topic.len);
  if (v.payload.len == 0) return clear(topic) ? -1 : 0;
  size_t before = size_;
  set(topic, msg);
  return static_cast<int>(size_ - before);
}

void RetainedStore::set(std::string_view topic, mqgw_message* msg) {
  Node* n = &root_;
  for (size_t pos = 0; pos != kEnd;) {
    std::string_view level = nextLevel(topic, &pos);
    auto it = n->children.find(level);
    if (it == n->children.end())
      it = n->children.emplace(std::string(level), std::make_unique<Node>()).first;
    n = it->second.get();
  }
  message::ref(msg);
  if (n->msg)
    message::unref(n->msg);
  else
    ++size_;
  n->msg = msg;
}

bool RetainedStore::clear(std::string_view topic) {
  std::vector<std::pair<Node*, std::string_view>> path;  // (parent, level) per step
  Node* n = &root_;
  for (size_t pos = 0; n && pos != kEnd;) {
    std::string_view level = nextLevel(topic, &pos);
    path.emplace_back(n, level);
    auto it = n->children.find(level);
    n = it == n->children.end() ? nullptr : it->second.get();
  }
  if (!n || !n->msg) return false;
  message::unref(std::exchange(n->msg, nullptr));
  --size_;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {  // prune nodes left empty
    Node* parent = it->first;
    auto child = parent->children.find(it->second);
    if (child->second->msg || !child->second->children.empty()) break;
    parent->children.erase(child);
  }
  return true;
}

mqgw_message* RetainedStore::find(std::string_view topic) const {
  const Node* n = &root_;
  for (size_t pos = 0; n && pos != kEnd;) {
    auto it = n->children.find(nextLevel(topic, &pos));
    n = it == n->children.end() ? nullptr : it->second.get();
  }
  return n ? n->msg : nullptr;
}

void RetainedStore::match(std::string_view filter,
                          const std::function<void(mqgw_message*)>& onMatch) const {
  struct Frame {
    const Node* node;
    size_t pos;  // start of the next filter level, or kEnd
  };
  std::vector<Frame> stack{{&root_, 0}};
  std::vector<const Node*> subtree;  // for '#'
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    if (f.pos == kEnd) {
      if (f.node->msg) onMatch(f.node->msg);
      continue;
    }
    size_t next = f.pos;
    std::string_view level = nextLevel(filter, &next);
    const bool atRoot = f.node == &root_;
    auto visible = [atRoot](const std::string& childLevel) {
      return !(atRoot && !childLevel.empty() && childLevel.front() == '$');
    };
    if (level == "#") {  // this node ("a/#" matches "a") and everything below it
      if (f.node->msg) onMatch(f.node->msg);
      subtree.clear();
      for (auto& [childLevel, child] : f.node->children)
        if (visible(childLevel)) subtree.push_back(child.get());
      while (!subtree.empty()) {
        const Node* n = subtree.back();
        subtree.pop_back();
        if (n->msg) onMatch(n->msg);
        for (auto& [childLevel, child] : n->children) subtree.push_back(child.get());
      }
    } else if (level == "+") {
      for (auto& [childLevel, child] : f.node->children)
        if (visible(childLevel)) stack.push_back({child.get(), next});
    } else {
      auto it = f.node->children.find(level);
      if (it != f.node->children.end()) stack.push_back({it->second.get(), next});
    }
  }
}

}  // namespace mqgw::router
