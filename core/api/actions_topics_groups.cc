// Parent topics and Group IDs of an instance.
#include "api/actions.h"

namespace mqgw::api {

void addTopicGroupActions(ActionTable& t) {
  t["CreateTopic"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string topic = c.params.requiredString("Topic");
    auto type = resources::MessageType::Normal;
    if (auto word = c.params.optionalString("MessageType")) {
      auto parsed = parseMessageType(*word);
      if (!parsed) c.params.invalid("MessageType", "must be \"normal\" or \"ordered\"");
      type = parsed.value_or(type);
    }
    std::string remark = c.params.optionalString("Remark").value_or("");
    MQGW_API_CHECK_PARAMS(c);
    return single(c.registry.createTopic(c.caller, instanceId, topic, type, remark), "Topic");
  });
  t["ListTopic"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    MQGW_API_CHECK_PARAMS(c);
    return list(c.registry.listTopics(c.caller, instanceId), "Topics");
  });
  t["DeleteTopic"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string topic = c.params.requiredString("Topic");
    MQGW_API_CHECK_PARAMS(c);
    return nothing(c.registry.deleteTopic(c.caller, instanceId, topic));
  });
  t["CreateGroupId"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string group = c.params.requiredString("GroupId");
    MQGW_API_CHECK_PARAMS(c);
    return single(c.registry.createGroup(c.caller, instanceId, group), "Group");
  });
  t["ListGroupId"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    MQGW_API_CHECK_PARAMS(c);
    return list(c.registry.listGroups(c.caller, instanceId), "GroupIds");
  });
  t["DeleteGroupId"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string group = c.params.requiredString("GroupId");
    MQGW_API_CHECK_PARAMS(c);
    return nothing(c.registry.deleteGroup(c.caller, instanceId, group));
  });
}

}  // namespace mqgw::api
