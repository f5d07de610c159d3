// Packets from the client that carry its messages and requests: PUBLISH (and the QoS 2 PUBREL),
// SUBSCRIBE, UNSUBSCRIBE, DISCONNECT. Durability rule: a QoS 1/2 publish is acknowledged only
// from on_publish_done, once the storage said it is stored.
#include <algorithm>

#include "connection.h"
#include "host.h"
#include "message_bridge.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;
using mqtt::PacketType;

namespace {

uint64_t cookieOf(uint8_t qos, uint16_t packetId) { return uint64_t(qos) << 32 | packetId; }

// The PUBACK/PUBREC reason for a failed store (MQTT 5 3.4.2.1).
uint8_t reasonForStoreError(int status) {
  switch (status) {
    case MQGW_E_DENIED: return reason::NotAuthorized;
    case MQGW_E_AGAIN:
    case MQGW_E_QUOTA: return reason::QuotaExceeded;  // the instance's publish rate
    default: return reason::UnspecifiedError;
  }
}

}  // namespace

Verdict MqttConnection::handlePublish(const mqtt::Frame& f) {
  thread_local mqtt::Publish p;  // reused: decoding then allocates nothing
  if (Verdict e = mqtt::decodePublish(f, version_, p)) return e;
  if (Verdict e = checkPublish(p)) return e;
  if (Verdict e = resolveTopicAlias(p)) return e;
  if (!host().topic_valid_name(toStr(p.topic))) {
    if (!v5() || p.qos == 0) return DecodeError{reason::TopicNameInvalid, "invalid topic name"};
    sendAck(p.qos == 1 ? PacketType::Puback : PacketType::Pubrec, p.packetId,
            reason::TopicNameInvalid);
    return std::nullopt;
  }
  if (!payloadFormatValid(p)) {  // MQTT 5 3.3.2.3.2: Payload Format Indicator 1 means UTF-8
    if (p.qos == 0) return DecodeError{reason::PayloadFormatInvalid, "payload is not UTF-8"};
    sendAck(p.qos == 1 ? PacketType::Puback : PacketType::Pubrec, p.packetId,
            reason::PayloadFormatInvalid);
    return std::nullopt;
  }
  if (p.qos == 2) {
    if (Qos2Inbound* q = findQos2(p.packetId)) {
      // A retransmission of a message we already have: publish once, acknowledge again.
      if (q->stored) sendAck(PacketType::Pubrec, p.packetId, reason::Success);
      return std::nullopt;
    }
  }
  if (p.qos > 0 && v5() && qos1Storing_ + qos2InCount() >= cfg_->maxInflight)
    return DecodeError{reason::ReceiveMaximumExceeded, "receive maximum exceeded"};
  publishToCore(p);
  return std::nullopt;
}

// MQTT 5 properties a client may not send in PUBLISH (topic aliases: resolveTopicAlias).
Verdict MqttConnection::checkPublish(const mqtt::Publish& p) {
  if (!v5()) return std::nullopt;
  if (!p.properties.subscriptionIdentifiers.empty())
    return protocolError("subscription identifier from a client");
  return std::nullopt;
}

void MqttConnection::publishToCore(const mqtt::Publish& p) {
  thread_local std::vector<mqgw_user_prop> props;
  mqgw_message_view view = viewOfPublish(p, clientId(), props);
  const uint64_t cookie = p.qos ? cookieOf(p.qos, p.packetId) : 0;
  // Book-keep before publishing: the completion may arrive before host->publish returns.
  if (p.qos == 1) ++qos1Storing_;
  if (p.qos == 2) {
    qos2In().push_back({p.packetId, false});
    ++qos2Storing_;
  }
  updateReadPause();
  mqgw_message* msg = host().message_create(&view);
  int rc = msg ? host().publish(session_, msg, cookie) : MQGW_E_NOMEM;
  if (msg) host().message_unref(msg);  // publish took its own ref
  if (rc == MQGW_E_TOO_LARGE) {
    // Over the instance's message size: like a packet over Maximum Packet Size (MQTT 5 4.13).
    if (v5()) sendDisconnect(reason::PacketTooLarge, "message larger than the instance allows");
    closeConnection(MQGW_CLOSE_PROTOCOL);
    return;
  }
  if (rc == MQGW_E_DENIED && !v5()) {
    // Not authorized: v3 cannot refuse a publish, so it is acknowledged as if stored and dropped
    // (as Mosquitto does). v5 gets 0x87 below; QoS 0 is dropped silently either way.
    if (cookie) settleInbound(p.qos, p.packetId, MQGW_OK);
    return;
  }
  if (rc != MQGW_OK && cookie) settleInbound(p.qos, p.packetId, rc);  // no completion will come
}

void MqttConnection::onPublishDone(uint64_t cookie, int status) {
  settleInbound(static_cast<uint8_t>(cookie >> 32), static_cast<uint16_t>(cookie), status);
}

void MqttConnection::settleInbound(uint8_t qos, uint16_t packetId, int status) {
  Qos2Inbound* q = qos == 2 ? findQos2(packetId) : nullptr;
  if (qos == 1 && qos1Storing_ > 0) --qos1Storing_;
  if (q && !q->stored) --qos2Storing_;
  if (phase_ != Phase::Connected) return;
  updateReadPause();
  if (status != MQGW_OK && !v5()) {
    // v3 has no negative acknowledgement; closing makes the client resend after reconnecting.
    std::string_view id = clientId();
    host().log(MQGW_LOG_WARN, "mqtt", "client '%.*s': publish not stored (%s), closing",
               static_cast<int>(id.size()), id.data(), host().err_name(status));
    closeConnection(MQGW_CLOSE_NORMAL);
    return;
  }
  const uint8_t code = status == MQGW_OK ? reason::Success : reasonForStoreError(status);
  if (qos == 1) return sendAck(PacketType::Puback, packetId, code);
  if (!q) return;  // already released by an early PUBREL
  if (status == MQGW_OK) {
    q->stored = true;
  } else {
    qos2In().erase(qos2In().begin() + (q - qos2In().data()));  // a PUBREC >= 0x80 ends the flow
  }
  sendAck(PacketType::Pubrec, packetId, code);
}

MqttConnection::Qos2Inbound* MqttConnection::findQos2(uint16_t packetId) {
  if (!qos2In_) return nullptr;
  auto it = std::find_if(qos2In_->begin(), qos2In_->end(),
                         [&](const Qos2Inbound& q) { return q.packetId == packetId; });
  return it == qos2In_->end() ? nullptr : &*it;
}

// Stop reading while max_inflight publishes wait for storage: backpressure toward the client.
void MqttConnection::updateReadPause() {
  if (phase_ != Phase::Connected) return;
  const bool busy = qos1Storing_ + qos2Storing_ >= cfg_->maxInflight;
  if (busy == readPaused_) return;
  readPaused_ = busy;
  if (busy)
    host().conn_pause_read(conn_);
  else
    host().conn_resume_read(conn_);
}

Verdict MqttConnection::handlePubrel(const mqtt::Frame& f) {
  thread_local mqtt::Ack ack;
  if (Verdict e = mqtt::decodeAck(f, version_, ack)) return e;
  Qos2Inbound* q = findQos2(ack.packetId);
  if (!q) {
    sendAck(PacketType::Pubcomp, ack.packetId, reason::PacketIdentifierNotFound);
    return std::nullopt;
  }
  if (!q->stored) --qos2Storing_;
  qos2In().erase(qos2In().begin() + (q - qos2In().data()));
  sendAck(PacketType::Pubcomp, ack.packetId, reason::Success);
  updateReadPause();
  return std::nullopt;
}

Verdict MqttConnection::handleSubscribe(const mqtt::Frame& f) {
  thread_local mqtt::Subscribe sub;
  thread_local mqtt::Suback ack;
  if (Verdict e = mqtt::decodeSubscribe(f, version_, sub)) return e;
  // MQTT 5 3.8.2.1.2: at most one Subscription Identifier, applied to every filter here.
  if (sub.properties.subscriptionIdentifiers.size() > 1)
    return protocolError("more than one subscription identifier");
  const std::vector<uint32_t>& ids = sub.properties.subscriptionIdentifiers;
  const uint32_t subscriptionId = ids.empty() ? 0 : ids[0];
  ack.packetId = sub.packetId;
  ack.reasonCodes.clear();
  for (const mqtt::SubscribeTopic& t : sub.topics) {
    if (phase_ != Phase::Connected) return std::nullopt;  // closed by a delivery meanwhile
    const mqgw_str filter = toStr(t.filter);
    uint8_t code;
    const bool shared = t.filter.starts_with("$share/");
    // MQTT 5 3.8.3-4: No Local on a shared subscription is a Protocol Error.
    if (shared && t.noLocal) return protocolError("No Local on a shared subscription");
    if (!host().topic_valid_filter(filter)) {
      code = v5() ? reason::TopicFilterInvalid : reason::UnspecifiedError;
    } else {
      mqgw_sub_options o{};
      o.struct_size = sizeof o;
      o.qos = t.qos;
      o.no_local = t.noLocal;
      o.retain_as_published = t.retainAsPublished;
      o.retain_handling = t.retainHandling;
      o.subscription_id = subscriptionId;
      int granted = host().subscribe(session_, filter, &o);
      code = granted == MQGW_E_DENIED && v5() ? cfg_->subscribeDeniedCode  // v3: 0x80 failure
             : granted == MQGW_E_INVAL && v5() ? reason::TopicFilterInvalid  // bad $share/
             : granted == MQGW_E_QUOTA && v5() ? reason::QuotaExceeded  // subscriptions limit
             : granted < 0                    ? reason::UnspecifiedError
                                              : static_cast<uint8_t>(std::min(granted, 2));
    }
    ack.reasonCodes.push_back(code);
  }
  // One Reason String for the packet: the text of the highest (failure) code, if any.
  const auto worst = std::max_element(ack.reasonCodes.begin(), ack.reasonCodes.end());
  addReasonString(ack.properties, worst == ack.reasonCodes.end() ? 0 : *worst, nullptr, false);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeSuback(ack, version_, b);
  if (clientMaxPacket_ && b.size() > clientMaxPacket_ && ack.properties.reasonString) {
    // One code per filter: addReasonString's fixed allowance does not cover a long SUBACK, and
    // the string must not push it past the client's Maximum Packet Size (MQTT 5 3.9.2-1).
    ack.properties.reasonString.reset();
    b.clear();
    mqtt::encodeSuback(ack, version_, b);
  }
  write(b);
  return std::nullopt;
}

Verdict MqttConnection::handleUnsubscribe(const mqtt::Frame& f) {
  thread_local mqtt::Unsubscribe unsub;
  thread_local mqtt::Unsuback ack;
  if (Verdict e = mqtt::decodeUnsubscribe(f, version_, unsub)) return e;
  ack.packetId = unsub.packetId;
  ack.reasonCodes.clear();
  for (std::string_view filter : unsub.filters) {
    uint8_t code = reason::TopicFilterInvalid;
    if (host().topic_valid_filter(toStr(filter))) {
      int rc = host().unsubscribe(session_, toStr(filter));
      code = rc == MQGW_OK              ? reason::Success
             : rc == MQGW_E_NOT_FOUND ? reason::NoSubscriptionExisted
                                      : reason::UnspecifiedError;
    }
    ack.reasonCodes.push_back(code);
  }
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeUnsuback(ack, version_, b);  // v3: codes are not written
  write(b);
  return std::nullopt;
}

Verdict MqttConnection::handleDisconnect(const mqtt::Frame& f) {
  mqtt::Disconnect d;
  if (Verdict e = mqtt::decodeDisconnect(f, version_, d)) return e;
  if (std::optional<uint32_t> expiry = d.properties.sessionExpiryInterval; expiry && session_) {
    // MQTT 5 3.14.2.2.2: a session that began with expiry 0 may not be given one now.
    if (connectExpiryZero_ && *expiry != 0) return protocolError("session expiry set at DISCONNECT");
    host().session_set_expiry(session_, std::min(*expiry, cfg_->sessionExpiryMaxS));
  }
  willSuppressed_ = !(v5() && d.reasonCode == reason::DisconnectWithWill);
  closeConnection(MQGW_CLOSE_NORMAL);
  return std::nullopt;
}

}  // namespace mqgw::mqttfe
