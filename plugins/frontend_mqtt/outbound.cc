// Deliveries to the client: QoS 0 goes straight out (dropped when the socket is backed up);
// QoS 1/2 take a packet id from the inflight window or wait in a bounded queue, and the
// client's PUBACK / PUBREC+PUBCOMP free the window for the next one.
#include <algorithm>
#include <chrono>

#include "connection.h"
#include "host.h"
#include "message_bridge.h"
#include "metrics.h"
#include "outbound.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;
using mqtt::PacketType;

namespace {

// Makes room in a full queue by dropping its oldest QoS 1 message; false if it holds none.
// Returns the dropped message (its reference still held), or nullptr when none is QoS 1.
mqgw_message* dropOldestQos1(std::deque<QueuedDelivery>& queue) {
  auto it = std::find_if(queue.begin(), queue.end(),
                         [](const QueuedDelivery& q) { return q.qos == 1; });
  if (it == queue.end()) return nullptr;
  mqgw_message* dropped = it->msg;
  queue.erase(it);
  return dropped;
}

}  // namespace

Outbound& MqttConnection::outbound() {
  if (!out_) out_ = std::make_unique<Outbound>(sendWindow_);
  return *out_;
}

bool MqttConnection::outboundCongested() const {
  const uint64_t limit = host().limits()->max_outbound_bytes;
  return limit > 0 && host().conn_pending_out(conn_) > limit;
}

int MqttConnection::onDeliver(mqgw_message* msg, const mqgw_delivery& d) {
  if (phase_ != Phase::Connected) return MQGW_E_CLOSED;
  const uint8_t qos = std::min<uint8_t>(d.qos, 2);
  if (qos == 0) {
    if (outboundCongested()) {
      bump(gMetrics.dropped);
      return MQGW_E_AGAIN;
    }
    return sendPublish(msg, 0, d.retain != 0, subscriptionIdsOf(d));
  }
  Outbound& out = outbound();
  if (!out.queue.empty() || out.inflight.full() || outboundCongested()) return enqueue(msg, d);
  return sendTracked(msg, qos, d.retain != 0, subscriptionIdsOf(d));
}

int MqttConnection::enqueue(mqgw_message* msg, const mqgw_delivery& d) {
  std::deque<QueuedDelivery>& queue = outbound().queue;
  if (queue.size() >= cfg_->maxQueuedMessages) {
    bump(gMetrics.dropped);  // one message goes: the oldest QoS 1, else (all QoS 2) the newcomer
    mqgw_message* dropped = dropOldestQos1(queue);
    if (!dropped) return MQGW_E_AGAIN;
    settleDelivery(dropped);
    host().message_unref(dropped);
  }
  host().message_ref(msg);
  queue.push_back({msg, static_cast<uint8_t>(std::min<uint8_t>(d.qos, 2)), d.retain,
                   d.subscription_id, {}});
  std::span<const uint32_t> ids = subscriptionIdsOf(d);
  if (ids.size() > 1) queue.back().allSubscriptionIds.assign(ids.begin(), ids.end());
  return MQGW_OK;
}

int MqttConnection::sendPublish(const mqgw_message* msg, uint8_t qos, bool retain,
                                std::span<const uint32_t> subscriptionIds) {
  thread_local mqtt::Publish p;  // reused for every delivery on this thread
  if (!v5()) subscriptionIds = {};
  const mqgw_message_view& v = *host().message_view(msg);
  if (!publishOfView(v, clientTopic(msg), qos, retain, subscriptionIds,
                     v.has_expiry ? wallClockMs() : 0, p)) {
    bump(gMetrics.expired);
    return MQGW_OK;  // expired on the way: MQTT 5 says do not deliver
  }
  const uint16_t newAlias = applyTopicAlias(p);
  p.packetId = qos > 0 ? 1 : 0;  // any id: the size does not depend on its value
  if (clientMaxPacket_ && mqtt::publishSize(p, version_) > clientMaxPacket_) {
    bump(gMetrics.dropped);  // MQTT 5 3.1.2.11.4: discard what the client cannot take
    return MQGW_E_TOO_LARGE;
  }
  if (qos > 0) p.packetId = outbound().inflight.add(qos == 1 ? AckWait::Puback : AckWait::Pubrec);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodePublish(p, version_, b);
  write(b);
  commitTopicAlias(p.topic, newAlias);
  bump(gMetrics.delivered);
  return MQGW_OK;
}

void MqttConnection::pump() {
  while (out_ && phase_ == Phase::Connected && !out_->queue.empty() && !out_->inflight.full() &&
         !outboundCongested()) {
    QueuedDelivery q = std::move(out_->queue.front());
    out_->queue.pop_front();
    sendTracked(q.msg, q.qos, q.retain != 0, q.subscriptionIds());
    host().message_unref(q.msg);
  }
}

Verdict MqttConnection::handleDeliveryAck(const mqtt::Frame& f) {
  thread_local mqtt::Ack ack;
  if (Verdict e = mqtt::decodeAck(f, version_, ack)) return e;
  const uint16_t id = ack.packetId;
  const AckWait waiting = out_ ? out_->inflight.waiting(id) : AckWait::None;
  switch (ack.type) {
    case PacketType::Puback:
      if (waiting == AckWait::Puback) {
        settleDelivery(out_->inflight.owedMessage(id));
        releaseInflight(id);
      }
      break;
    case PacketType::Pubcomp:
      if (waiting == AckWait::Pubcomp) releaseInflight(id);
      break;
    case PacketType::Pubrec:
      if (waiting == AckWait::Pubrec) settleDelivery(out_->inflight.owedMessage(id));
      if (waiting == AckWait::Pubrec && ack.reasonCode >= 0x80) {
        releaseInflight(id);  // the client refused it: the flow ends here
      } else if (waiting == AckWait::Pubrec || waiting == AckWait::Pubcomp) {
        out_->inflight.set(id, AckWait::Pubcomp);
        sendAck(PacketType::Pubrel, id, reason::Success);
      } else {
        sendAck(PacketType::Pubrel, id, reason::PacketIdentifierNotFound);
      }
      break;
    default: break;
  }
  pump();
  return std::nullopt;
}

}  // namespace mqgw::mqttfe
