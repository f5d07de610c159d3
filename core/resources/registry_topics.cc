// Parent topics and Group IDs: any account may manage them; a Group ID belongs to the account
// that created it (a sub-account deletes only its own, the main account any).
#include "resources/registry_impl.h"
#include "resources/topic_policy.h"

namespace mqgw::resources {

Result<ParentTopic> RegistryImpl::createTopic(const Caller&, std::string_view instanceId,
                                              std::string_view name, MessageType type,
                                              std::string_view remark) {
  if (!validParentTopic(name))
    return fail(400, "InvalidParameter.Topic", "a parent topic is 3..64 of [A-Za-z0-9_-]");
  if (!validFreeText(remark, 0, 128))
    return fail(400, "InvalidParameter.Remark",
                "Remark must be 0..128 characters without control characters");
  return mutate<ParentTopic>([&](Change& change) -> Result<ParentTopic> {
    if (auto f = instanceExists(instanceId)) return *f;
    auto topics = state_.topics.find(instanceId);
    if (topics != state_.topics.end() && topics->second.count(name))
      return fail(409, "TopicAlreadyExists",
                  "topic " + std::string(name) + " already exists in the instance");
    ParentTopic v{std::string(instanceId), std::string(name), type, std::string(remark),
                  wallClockMs()};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.topics[v.instanceId][v.name] = v; });
    change.changedInstances.push_back(v.instanceId);
    return ok(v);
  });
}

Result<std::vector<ParentTopic>> RegistryImpl::listTopics(const Caller&,
                                                          std::string_view instanceId) const {
  std::shared_lock lock(stateMutex_);
  if (auto f = instanceExists(instanceId)) return *f;
  std::vector<ParentTopic> out;
  if (auto it = state_.topics.find(instanceId); it != state_.topics.end())
    for (const auto& [name, v] : it->second) out.push_back(v);
  return ok(std::move(out));
}

Result<Done> RegistryImpl::deleteTopic(const Caller&, std::string_view instanceId,
                                       std::string_view name) {
  return mutate<Done>([&](Change& change) -> Result<Done> {
    if (auto f = instanceExists(instanceId)) return *f;
    auto topics = state_.topics.find(instanceId);
    if (topics == state_.topics.end() || !topics->second.count(name))
      return fail(404, "TopicNotFound",
                  "topic " + std::string(name) + " does not exist in the instance");
    std::string iid(instanceId), topic(name);
    change.batch.eraseTopic(iid, topic);
    change.apply.push_back([iid, topic](RegistryState& s) { s.topics[iid].erase(topic); });
    change.changedInstances.push_back(iid);
    return ok(Done{});
  });
}

Result<GroupId> RegistryImpl::createGroup(const Caller& c, std::string_view instanceId,
                                          std::string_view name) {
  if (!validGroupId(name))
    return fail(400, "InvalidParameter.GroupId",
                "a Group ID starts with GID_ or GID- and is 7..64 of [A-Za-z0-9_-]");
  return mutate<GroupId>([&](Change& change) -> Result<GroupId> {
    if (auto f = instanceExists(instanceId)) return *f;
    auto groups = state_.groups.find(instanceId);
    if (groups != state_.groups.end() && groups->second.count(name))
      return fail(409, "GroupIdAlreadyExists",
                  "Group ID " + std::string(name) + " already exists in the instance");
    GroupId v{std::string(instanceId), std::string(name), c.accountId, wallClockMs()};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.groups[v.instanceId][v.name] = v; });
    change.changedInstances.push_back(v.instanceId);
    return ok(v);
  });
}

Result<std::vector<GroupId>> RegistryImpl::listGroups(const Caller&,
                                                      std::string_view instanceId) const {
  std::shared_lock lock(stateMutex_);
  if (auto f = instanceExists(instanceId)) return *f;
  std::vector<GroupId> out;
  if (auto it = state_.groups.find(instanceId); it != state_.groups.end())
    for (const auto& [name, v] : it->second) out.push_back(v);
  return ok(std::move(out));
}

Result<Done> RegistryImpl::deleteGroup(const Caller& c, std::string_view instanceId,
                                       std::string_view name) {
  return mutate<Done>([&](Change& change) -> Result<Done> {
    if (auto f = instanceExists(instanceId)) return *f;
    const GroupId* group = findGroup(instanceId, name);
    if (!group)
      return fail(404, "GroupIdNotFound",
                  "Group ID " + std::string(name) + " does not exist in the instance");
    if (c.kind != AccountKind::Main && group->ownerAccountId != c.accountId)
      return fail(403, "Forbidden.GroupOwner",
                  "Group ID " + std::string(name) + " belongs to another account");
    std::string iid(instanceId), gid(name);
    change.batch.eraseGroup(iid, gid);
    change.apply.push_back([iid, gid](RegistryState& s) { s.groups[iid].erase(gid); });
    change.changedInstances.push_back(iid);
    return ok(Done{});
  });
}

}  // namespace mqgw::resources
