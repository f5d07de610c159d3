#include "api/render.h"

namespace mqgw::api {

using nlohmann::json;
using namespace resources;

const char* namespaceWord(NamespaceType t) {
  return t == NamespaceType::Shared ? "shared" : "dedicated";
}

std::optional<NamespaceType> parseNamespace(const std::string& word) {
  if (word == "dedicated") return NamespaceType::Dedicated;
  if (word == "shared") return NamespaceType::Shared;
  return std::nullopt;
}

const char* messageTypeWord(MessageType t) {
  return t == MessageType::Ordered ? "ordered" : "normal";
}

std::optional<MessageType> parseMessageType(const std::string& word) {
  if (word == "normal") return MessageType::Normal;
  if (word == "ordered") return MessageType::Ordered;
  return std::nullopt;
}

std::string actionsWord(uint8_t actions) {
  if (actions == (kRead | kWrite)) return "R,W";
  return actions == kWrite ? "W" : "R";
}

std::optional<uint8_t> parseActions(const std::string& word) {
  if (word == "R") return kRead;
  if (word == "W") return kWrite;
  if (word == "R,W" || word == "W,R") return kRead | kWrite;
  return std::nullopt;
}

static const char* statusWord(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::Ready: return "ready";
    case InstanceStatus::Unusable: return "unusable";
    case InstanceStatus::Unbound: break;
  }
  return "unbound";
}

json toJson(const Spec& s) {
  return {{"MaxConnections", s.maxConnections},
          {"MaxPublishTps", s.maxPublishTps},
          {"MaxSubscriptionsPerClient", s.maxSubscriptionsPerClient},
          {"MaxMessageSize", s.maxMessageSize}};
}

json toJson(const Instance& i) {
  return {{"InstanceId", i.id},
          {"InstanceName", i.name},
          {"Region", i.region},
          {"NamespaceType", namespaceWord(i.namespaceType)},
          {"Spec", toJson(i.spec)},
          {"Status", statusWord(i.status)},
          {"StorageInstanceId", i.storageId},
          {"CreateTime", i.createdMs}};
}

json toJson(const StorageInstance& s) {
  return {{"StorageInstanceId", s.id},
          {"Name", s.name},
          {"Kind", s.kind},
          {"NamespaceType", namespaceWord(s.namespaceType)},
          {"Settings", s.settings},
          {"BoundInstanceId", s.boundInstanceId},
          {"CreateTime", s.createdMs}};
}

json toJson(const ParentTopic& t) {
  return {{"InstanceId", t.instanceId},
          {"Topic", t.name},
          {"MessageType", messageTypeWord(t.messageType)},
          {"Remark", t.remark},
          {"CreateTime", t.createdMs}};
}

json toJson(const GroupId& g) {
  return {{"InstanceId", g.instanceId},
          {"GroupId", g.name},
          {"OwnerAccountId", g.ownerAccountId},
          {"CreateTime", g.createdMs}};
}

json toJson(const Account& a) {
  return {{"AccountId", a.id},
          {"AccountName", a.name},
          {"Kind", a.kind == AccountKind::Main ? "main" : "sub"},
          {"CreateTime", a.createdMs}};
}

json toJson(const AccessKey& k) {
  return {{"AccessKeyId", k.id},
          {"AccessKeySecret", k.secret},
          {"AccountId", k.accountId},
          {"Enabled", k.enabled},
          {"CreateTime", k.createdMs}};
}

json toJson(const Token& t) {
  return {{"Token", t.value},
          {"InstanceId", t.instanceId},
          {"AccessKeyId", t.accessKeyId},
          {"Resources", t.resources},
          {"Actions", actionsWord(t.actions)},
          {"ExpireTime", t.expireMs},
          {"Revoked", t.revoked},
          {"CreateTime", t.createdMs}};
}

json toJson(const DeviceCredential& c) {
  return {{"InstanceId", c.instanceId},
          {"ClientId", c.clientId},
          {"DeviceAccessKeyId", c.deviceAccessKeyId},
          {"DeviceAccessKeySecret", c.deviceAccessKeySecret},
          {"CreateTime", c.createdMs},
          {"UpdateTime", c.updatedMs}};
}

json toJson(const AccessPoint& p) {
  return {{"Transport", p.transport},
          {"Listener", p.listener},
          {"Port", p.port},
          {"Path", p.path},
          {"PublicEndpoint", p.publicEndpoint},
          {"PrivateEndpoint", p.privateEndpoint}};
}

}  // namespace mqgw::api
