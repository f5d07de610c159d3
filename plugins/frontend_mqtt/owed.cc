// What a persistent session owes its client across connections. While connected, every QoS 1/2
// PUBLISH in flight keeps a reference to its message; when the connection ends (or is taken
// over) those, and the deliveries still queued for the window, are parked in the core's session
// together with the QoS 2 packet ids not yet released. A resumed session gets them back through
// on_resume: in-flight ones are sent again with DUP and their old packet ids (MQTT 3.1.1 4.4,
// MQTT 5 4.4), PUBREC'd ones get their PUBREL again, queued ones wait for the window as before.
#include <algorithm>
#include <vector>

#include "connection.h"
#include "host.h"
#include "message_bridge.h"
#include "metrics.h"
#include "outbound.h"
#include "wire.h"

namespace mqgw::mqttfe {

int MqttConnection::sendTracked(mqgw_message* msg, uint8_t qos, bool retain,
                                std::span<const uint32_t> subscriptionIds) {
  const uint64_t before = qos > 0 ? outbound().inflight.addCount() : 0;
  int rc = sendPublish(msg, qos, retain, subscriptionIds);
  if (qos > 0 && outbound().inflight.addCount() == before) settleDelivery(msg);  // not sent: expired or too large
  if (qos > 0 && outbound().inflight.addCount() != before) {
    host().message_ref(msg);  // kept until acknowledged, for redelivery
    outbound().inflight.attach(outbound().inflight.lastAdded(),
                               {msg, qos, static_cast<uint8_t>(retain ? 1 : 0),
                                subscriptionIds.empty() ? 0 : subscriptionIds[0]});
  }
  return rc;
}

void MqttConnection::settleDelivery(const void* msg) {
  if (msg && session_) host().delivery_settled(session_, static_cast<const mqgw_message*>(msg));
}

void MqttConnection::releaseInflight(uint16_t packetId) {
  InflightTable::Owed o = out_->inflight.detach(packetId);
  if (o.msg) host().message_unref(static_cast<mqgw_message*>(o.msg));
}

void MqttConnection::parkSession() {
  if (!session_) return;
  std::vector<mqgw_parked> owed;
  if (out_) {
    out_->inflight.forEachInOrder([&](uint16_t id, AckWait wait, const InflightTable::Owed& o) {
      if (!o.msg) return;
      mqgw_parked p{};
      p.struct_size = sizeof p;
      p.msg = static_cast<mqgw_message*>(o.msg);
      p.qos = o.qos;
      p.retain = o.retain;
      p.state = wait == AckWait::Pubcomp ? MQGW_PARKED_RELEASED : MQGW_PARKED_SENT;
      p.packet_id = id;
      p.subscription_id = o.subscriptionId;
      owed.push_back(p);
    });
    for (const QueuedDelivery& q : out_->queue) {
      mqgw_parked p{};
      p.struct_size = sizeof p;
      p.msg = q.msg;
      p.qos = q.qos;
      p.retain = q.retain;
      p.state = MQGW_PARKED_QUEUED;
      p.subscription_id = q.subscriptionId;
      owed.push_back(p);
    }
  }
  std::vector<uint16_t> qos2;
  if (qos2In_)
    for (const Qos2Inbound& q : *qos2In_)
      if (q.stored) qos2.push_back(q.packetId);
  host().session_park(session_, owed.data(), static_cast<uint32_t>(owed.size()), qos2.data(),
                      static_cast<uint32_t>(qos2.size()));  // the core takes its own refs
  host().session_close(session_);
  session_ = nullptr;
}

void MqttConnection::onResume(const mqgw_parked* owed, uint32_t n, const uint16_t* qos2Ids,
                              uint32_t nIds) {
  if (phase_ != Phase::Connected) return;
  for (uint32_t i = 0; i < nIds; ++i) qos2In().push_back({qos2Ids[i], true});
  for (uint32_t i = 0; i < n; ++i) resendOwed(owed[i]);
  pump();
}

void MqttConnection::resendOwed(const mqgw_parked& o) {
  if (o.state == MQGW_PARKED_QUEUED || o.packet_id == 0) {
    host().message_ref(o.msg);
    outbound().queue.push_back({o.msg, o.qos, o.retain, o.subscription_id, {}});
    return;
  }
  const bool released = o.state == MQGW_PARKED_RELEASED;
  AckWait wait = released ? AckWait::Pubcomp : (o.qos == 1 ? AckWait::Puback : AckWait::Pubrec);
  if (!outbound().inflight.restore(o.packet_id, wait)) return;  // cannot happen: ids were unique
  host().message_ref(o.msg);
  outbound().inflight.attach(o.packet_id, {o.msg, o.qos, o.retain, o.subscription_id});
  if (released) return sendAck(mqtt::PacketType::Pubrel, o.packet_id, mqtt::reason::Success);
  thread_local mqtt::Publish p;
  uint32_t subId = o.subscription_id;
  std::span<const uint32_t> ids(&subId, v5() && subId ? 1u : 0u);
  const mqgw_message_view& v = *host().message_view(o.msg);
  // Expiry only stops a delivery that has not begun (MQTT 5 3.3.2-5): this one was sent, so it
  // goes out again, with at least a second of its lifetime left.
  uint64_t now = v.has_expiry ? wallClockMs() : 0;
  if (v.has_expiry && v.expiry_interval_s > 0)
    now = std::min<uint64_t>(now, v.created_ms + (v.expiry_interval_s - 1) * 1000ull);
  if (!publishOfView(v, clientTopic(o.msg), o.qos, o.retain != 0, ids, now, p)) {
    releaseInflight(o.packet_id);  // an expiry interval of 0: nothing left to send
    return;
  }
  p.dup = true;  // the full topic, never an alias: aliases do not survive a connection
  p.packetId = o.packet_id;
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodePublish(p, version_, b);
  write(b);
  bump(gMetrics.delivered);
}

}  // namespace mqgw::mqttfe
