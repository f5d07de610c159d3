// What the running gateway answers: sending a message as the server, online status of
// clients, access points. SendMessage is asynchronous: the Runtime reports on any thread.
#include "api/actions.h"
#include "mqgw/plugin_abi.h"
#include "resources/crypto.h"

namespace mqgw::api {
namespace {

using nlohmann::json;

Outcome noRuntime() {
  return failed({503, "RuntimeUnavailable", "this gateway does not serve runtime actions"});
}

// The instance must exist and be the caller's before the runtime is asked about it.
std::optional<resources::Error> checkInstance(ActionContext& c, const std::string& instanceId) {
  auto r = c.registry.getInstance(c.caller, instanceId);
  if (!r.ok()) return r.error;
  return std::nullopt;
}

Outcome sendResult(int status, std::string msgId) {
  switch (status) {
    case MQGW_OK: return succeeded({{"MsgId", std::move(msgId)}});
    case MQGW_E_INVAL:
      return failed(
          {400, "InvalidParameter.MqttTopic", "the topic is not allowed on this instance"});
    case MQGW_E_TOO_LARGE:
      return failed({400, "InvalidParameter.Payload", "the payload exceeds MaxMessageSize"});
    case MQGW_E_NOT_FOUND: return failed({404, "InstanceNotFound", "no such instance"});
    case MQGW_E_DENIED:
      return failed({409, "InstanceUnavailable", "the instance is not bound or is unusable"});
    default: break;
  }
  return failed({503, "StorageUnavailable",
                 "the storage backend could not take the message (status " +
                     std::to_string(status) + ")"});
}

// Reads SendMessage's fields into *r; false (with the params error set) when one is bad.
bool readSend(Params& p, SendRequest* r) {
  r->instanceId = p.requiredString("InstanceId");
  r->topic = p.requiredString("MqttTopic");
  auto payload = p.optionalString("Payload");
  if (!payload && !p.error()) p.invalid("Payload", "is required");
  std::string encoding = p.optionalString("PayloadEncoding").value_or("text");
  if (encoding != "text" && encoding != "base64")
    p.invalid("PayloadEncoding", "must be \"text\" or \"base64\"");
  r->qos = static_cast<uint8_t>(p.optionalInt("Qos", 0, 1).value_or(1));
  r->retain = p.optionalBool("Retain").value_or(false);
  if (p.error()) return false;
  if (encoding == "text") {
    r->payload = *payload;
  } else if (!crypto::base64Decode(*payload, &r->payload)) {
    p.invalid("Payload", "is not valid base64");
    return false;
  }
  return true;
}

void sendMessage(ActionContext& c, OutcomeDone done) {
  SendRequest r;
  if (!readSend(c.params, &r)) return done(failed(*c.params.error()));
  if (!c.runtime) return done(noRuntime());
  if (auto e = checkInstance(c, r.instanceId)) return done(failed(*e));
  c.runtime->sendMessage(r, [done = std::move(done)](int status, std::string msgId) {
    done(sendResult(status, std::move(msgId)));
  });
}

Outcome querySession(ActionContext& c) {
  std::string instanceId = c.params.requiredString("InstanceId");
  std::string clientId = c.params.requiredString("ClientId");
  MQGW_API_CHECK_PARAMS(c);
  if (!c.runtime) return noRuntime();
  if (auto e = checkInstance(c, instanceId)) return failed(*e);
  bool online = false;
  for (const auto& s : c.runtime->sessionStatus(instanceId, {clientId}))
    online = online || (s.clientId == clientId && s.online);
  return succeeded({{"OnlineStatus", online}});
}

Outcome batchQuerySessions(ActionContext& c) {
  std::string instanceId = c.params.requiredString("InstanceId");
  auto clientIds = c.params.requiredStringList("ClientIdList", 1, 100);
  MQGW_API_CHECK_PARAMS(c);
  if (!c.runtime) return noRuntime();
  if (auto e = checkInstance(c, instanceId)) return failed(*e);
  // Answered in the order asked, whatever order the runtime returns.
  std::unordered_map<std::string, bool> online;
  for (const auto& s : c.runtime->sessionStatus(instanceId, clientIds))
    online[s.clientId] = online[s.clientId] || s.online;
  json list = json::array();
  for (const auto& id : clientIds)
    list.push_back({{"ClientId", id}, {"OnlineStatus", online.count(id) && online[id]}});
  return succeeded({{"OnlineStatusList", std::move(list)}});
}

Outcome listAccessPoints(ActionContext& c) {
  std::string instanceId = c.params.requiredString("InstanceId");
  MQGW_API_CHECK_PARAMS(c);
  if (!c.runtime) return noRuntime();
  if (auto e = checkInstance(c, instanceId)) return failed(*e);
  return succeeded({{"AccessPoints", toJsonArray(c.runtime->accessPoints(instanceId))}});
}

}  // namespace

void addRuntimeActions(ActionTable& t) {
  t["SendMessage"] = sendMessage;
  t["QuerySessionByClientId"] = sync(querySession);
  t["BatchQuerySessionByClientIds"] = sync(batchQuerySessions);
  t["ListAccessPoints"] = sync(listAccessPoints);
}

}  // namespace mqgw::api
