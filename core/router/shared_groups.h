// Shared subscriptions ($share/<group>/<filter>): each message to one member of each matching
// group. Every worker keeps its own replica of the groups (updated by messages from the worker
// that owns the member's session), and the worker that routes a stored message picks the
// member, round robin, so each message is picked exactly once without a lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "router/topic_tree.h"

namespace mqgw::router {

struct SharedMember {
  uint32_t worker;
  uint64_t sessionId;
  mqgw_sub_options options;
};

struct SharedGroup {
  std::string name;
  std::string filter;  // the filter after $share/<name>/
  std::vector<SharedMember> members;
  uint32_t next = 0;  // round-robin position (per replica: each worker spreads its own picks)
  bool filtered = false;  // a deny rule overlaps the filter: check topics at delivery (topic_acl.h)
};

class SharedGroups {
 public:
  void add(std::string_view group, std::string_view filter, const SharedMember& m);
  void remove(std::string_view group, std::string_view filter, uint32_t worker,
              uint64_t sessionId);
  // Calls onPick(group, filter-node groups' member) once per group matching `topic`.
  template <class F>
  void pick(std::string_view topic, F&& onPick) {
    tree_.match(topic, [&](std::vector<SharedGroup>& groups) {
      for (SharedGroup& g : groups) {
        if (g.members.empty()) continue;
        const SharedMember& m = g.members[g.next++ % g.members.size()];
        onPick(g, m);
      }
    });
  }
  // Another member of `group` under `filter` than (worker, sessionId), if there is one.
  const SharedMember* another(std::string_view group, std::string_view filter, uint32_t worker,
                              uint64_t sessionId);
  bool empty() const { return tree_.empty(); }
  // The group itself (nullptr once its last member left): for messages a clustered backend
  // took for this node's part of the group.
  SharedGroup* find(std::string_view group, std::string_view filter);

 private:
  TopicTree<std::vector<SharedGroup>> tree_;
};

}  // namespace mqgw::router
