// Device status events of console instances: a client of an instance connected, disconnected
// (its own DISCONNECT) or was cleaned up (tcpclean: the connection dropped, timed out or was
// closed by the gateway). Each event is stored in the instance's bound storage as a QoS 1
// message on "$status/<GroupID>" of that instance, so integrators read them beside the devices'
// messages (Kafka: topic mqtt.<InstanceId>._status). Devices cannot subscribe to them: "$status"
// is not a parent topic.
#include <cstdio>
#include <string>

#include "common/clock.h"
#include "gateway/gateway.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "resources/topic_policy.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

namespace mqgw::tenancy {
namespace {

uint32_t eventsMetric() {
  static const uint32_t id = metrics::registerMetric(
      "mqgw_console_status_events_total", "device online/offline events stored", false);
  return id;
}

// "1.2.3.4:5678" → "1.2.3.4"; "[::1]:5678" → "::1".
std::string ipOf(const char* peer) {
  std::string p = peer ? peer : "";
  size_t colon = p.rfind(':');
  if (colon != std::string::npos) p.resize(colon);
  if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
  return p;
}

// Client IDs and IPs are [A-Za-z0-9_@.:-] here: nothing to escape in the JSON.
std::string eventJson(std::string_view clientId, uint64_t channel, const std::string& ip,
                      const char* type, uint64_t timeMs) {
  char tail[160];
  std::snprintf(tail, sizeof tail, "\",\"channelId\":\"%llu\",\"clientIp\":\"%s\",\"eventType\":\"%s\",\"time\":%llu}",
                static_cast<unsigned long long>(channel), ip.c_str(), type,
                static_cast<unsigned long long>(timeMs));
  std::string json = "{\"clientId\":\"";
  json.append(clientId).append(tail);
  return json;
}

}  // namespace

void statusEvent(const Session& s, Connection& c, const char* type) {
  if (!s.tenant) return;
  std::string_view clientId = clientView(s.clientId);
  auto parts = resources::splitClientId(clientId);
  if (!parts) return;
  std::string topic = s.tenant->instance->prefix() + "$status/" + std::string(parts->first);
  std::string payload = eventJson(clientId, c.id(), ipOf(c.info()->peer), type, clock::wallMs());
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {topic.data(), topic.size()};
  v.payload = {payload.data(), payload.size()};
  v.qos = 1;
  v.publisher_id = {clientId.data(), clientId.size()};
  mqgw_message* msg = message::create(v);
  if (Gateway::get().storage().publishFromServer(msg, nullptr, nullptr) == MQGW_OK)
    metrics::add(eventsMetric(), 1);
  message::unref(msg);
}

}  // namespace mqgw::tenancy
