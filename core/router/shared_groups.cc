#include "router/shared_groups.h"

#include <algorithm>

#include "auth/topic_acl.h"

namespace mqgw::router {

SharedGroup* SharedGroups::find(std::string_view group, std::string_view filter) {
  std::vector<SharedGroup>* groups = tree_.find(filter);
  if (!groups) return nullptr;
  for (SharedGroup& g : *groups)
    if (g.name == group) return &g;
  return nullptr;
}

void SharedGroups::add(std::string_view group, std::string_view filter, const SharedMember& m) {
  std::vector<SharedGroup>& groups = tree_.insertOrGet(filter);
  auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.name == group; });
  if (it == groups.end()) {
    groups.push_back({std::string(group), std::string(filter), {}, 0,
                      auth::subscribeFiltered(filter)});
    it = groups.end() - 1;
  }
  for (SharedMember& existing : it->members) {
    if (existing.worker == m.worker && existing.sessionId == m.sessionId) {
      existing.options = m.options;  // a repeated SUBSCRIBE replaces the options
      return;
    }
  }
  it->members.push_back(m);
}

void SharedGroups::remove(std::string_view group, std::string_view filter, uint32_t worker,
                          uint64_t sessionId) {
  tree_.removeIf(filter, [&](std::vector<SharedGroup>& groups) {
    for (SharedGroup& g : groups) {
      if (g.name != group) continue;
      std::erase_if(g.members, [&](const SharedMember& m) {
        return m.worker == worker && m.sessionId == sessionId;
      });
    }
    std::erase_if(groups, [](const SharedGroup& g) { return g.members.empty(); });
    return groups.empty();
  });
}

const SharedMember* SharedGroups::another(std::string_view group, std::string_view filter,
                                          uint32_t worker, uint64_t sessionId) {
  SharedGroup* g = find(group, filter);
  if (!g) return nullptr;
  for (size_t i = 0; i < g->members.size(); ++i) {
    const SharedMember& m = g->members[g->next++ % g->members.size()];
    if (m.worker != worker || m.sessionId != sessionId) return &m;
  }
  return nullptr;
}

}  // namespace mqgw::router
