// Test and fuzz helper: one variant over every packet struct, decode/encode dispatch by frame
// type, and field-by-field equality (the public structs have no operator==). Not for production.
#pragma once

#include <variant>

#include "mqtt/mqtt_codec.h"

namespace mqgw::mqtt::testing {

struct Pingreq {};
struct Pingresp {};

using AnyPacket = std::variant<Connect, Connack, Publish, Ack, Subscribe, Suback, Unsubscribe,
    Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

inline std::optional<DecodeError> decodeAny(const Frame& f, Version v, AnyPacket& out) {
  switch (f.type) {
    case PacketType::Connect: return decodeConnect(f, out.emplace<Connect>());
    case PacketType::Connack: return decodeConnack(f, v, out.emplace<Connack>());
    case PacketType::Publish: return decodePublish(f, v, out.emplace<Publish>());
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp: return decodeAck(f, v, out.emplace<Ack>());
    case PacketType::Subscribe: return decodeSubscribe(f, v, out.emplace<Subscribe>());
    case PacketType::Suback: return decodeSuback(f, v, out.emplace<Suback>());
    case PacketType::Unsubscribe: return decodeUnsubscribe(f, v, out.emplace<Unsubscribe>());
    case PacketType::Unsuback: return decodeUnsuback(f, v, out.emplace<Unsuback>());
    case PacketType::Pingreq: out.emplace<Pingreq>(); return std::nullopt;
    case PacketType::Pingresp: out.emplace<Pingresp>(); return std::nullopt;
    case PacketType::Disconnect: return decodeDisconnect(f, v, out.emplace<Disconnect>());
    case PacketType::Auth: return decodeAuth(f, v, out.emplace<Auth>());
  }
  return DecodeError{reason::MalformedPacket, "unknown packet type"};
}

inline void encodeAny(const AnyPacket& p, Version v, Buffer& out) {
  struct Visitor {
    Version v;
    Buffer& out;
    void operator()(const Connect& x) { encodeConnect(x, out); }
    void operator()(const Connack& x) { encodeConnack(x, v, out); }
    void operator()(const Publish& x) { encodePublish(x, v, out); }
    void operator()(const Ack& x) { encodeAck(x, v, out); }
    void operator()(const Subscribe& x) { encodeSubscribe(x, v, out); }
    void operator()(const Suback& x) { encodeSuback(x, v, out); }
    void operator()(const Unsubscribe& x) { encodeUnsubscribe(x, v, out); }
    void operator()(const Unsuback& x) { encodeUnsuback(x, v, out); }
    void operator()(const Pingreq&) { encodePingreq(out); }
    void operator()(const Pingresp&) { encodePingresp(out); }
    void operator()(const Disconnect& x) { encodeDisconnect(x, v, out); }
    void operator()(const Auth& x) { encodeAuth(x, out); }
  };
  std::visit(Visitor{v, out}, p);
}

inline bool sameFields(const UserProperty& a, const UserProperty& b) {
  return a.key == b.key && a.value == b.value;
}

inline bool sameFields(const SubscribeTopic& a, const SubscribeTopic& b) {
  return a.filter == b.filter && a.qos == b.qos && a.noLocal == b.noLocal &&
      a.retainAsPublished == b.retainAsPublished && a.retainHandling == b.retainHandling;
}

template <typename T>
bool sameVector(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if constexpr (std::is_same_v<T, UserProperty> || std::is_same_v<T, SubscribeTopic>) {
      if (!sameFields(a[i], b[i])) return false;
    } else if (!(a[i] == b[i])) {
      return false;
    }
  }
  return true;
}

inline bool sameFields(const Properties& a, const Properties& b) {
  return a.payloadFormatIndicator == b.payloadFormatIndicator &&
      a.messageExpiryInterval == b.messageExpiryInterval && a.contentType == b.contentType &&
      a.responseTopic == b.responseTopic && a.correlationData == b.correlationData &&
      a.subscriptionIdentifiers == b.subscriptionIdentifiers &&
      a.sessionExpiryInterval == b.sessionExpiryInterval &&
      a.assignedClientIdentifier == b.assignedClientIdentifier &&
      a.serverKeepAlive == b.serverKeepAlive &&
      a.authenticationMethod == b.authenticationMethod &&
      a.authenticationData == b.authenticationData &&
      a.requestProblemInformation == b.requestProblemInformation &&
      a.willDelayInterval == b.willDelayInterval &&
      a.requestResponseInformation == b.requestResponseInformation &&
      a.responseInformation == b.responseInformation &&
      a.serverReference == b.serverReference && a.reasonString == b.reasonString &&
      a.receiveMaximum == b.receiveMaximum && a.topicAliasMaximum == b.topicAliasMaximum &&
      a.topicAlias == b.topicAlias && a.maximumQos == b.maximumQos &&
      a.retainAvailable == b.retainAvailable && sameVector(a.userProperties, b.userProperties) &&
      a.maximumPacketSize == b.maximumPacketSize &&
      a.wildcardSubscriptionAvailable == b.wildcardSubscriptionAvailable &&
      a.subscriptionIdentifierAvailable == b.subscriptionIdentifierAvailable &&
      a.sharedSubscriptionAvailable == b.sharedSubscriptionAvailable;
}

inline bool sameFields(const Will& a, const Will& b) {
  return a.topic == b.topic && a.payload == b.payload && a.qos == b.qos &&
      a.retain == b.retain && sameFields(a.properties, b.properties);
}

inline bool sameFields(const Connect& a, const Connect& b) {
  if (a.will.has_value() != b.will.has_value()) return false;
  if (a.will && !sameFields(*a.will, *b.will)) return false;
  return a.protocolName == b.protocolName && a.version == b.version &&
      a.cleanStart == b.cleanStart && a.keepAlive == b.keepAlive && a.clientId == b.clientId &&
      a.username == b.username && a.password == b.password &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Connack& a, const Connack& b) {
  return a.sessionPresent == b.sessionPresent && a.reasonCode == b.reasonCode &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Publish& a, const Publish& b) {
  return a.dup == b.dup && a.qos == b.qos && a.retain == b.retain && a.topic == b.topic &&
      a.packetId == b.packetId && a.payload == b.payload &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Ack& a, const Ack& b) {
  return a.type == b.type && a.packetId == b.packetId && a.reasonCode == b.reasonCode &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Subscribe& a, const Subscribe& b) {
  return a.packetId == b.packetId && sameVector(a.topics, b.topics) &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Suback& a, const Suback& b) {
  return a.packetId == b.packetId && a.reasonCodes == b.reasonCodes &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Unsubscribe& a, const Unsubscribe& b) {
  return a.packetId == b.packetId && a.filters == b.filters &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Unsuback& a, const Unsuback& b) {
  return a.packetId == b.packetId && a.reasonCodes == b.reasonCodes &&
      sameFields(a.properties, b.properties);
}

inline bool sameFields(const Pingreq&, const Pingreq&) { return true; }
inline bool sameFields(const Pingresp&, const Pingresp&) { return true; }

inline bool sameFields(const Disconnect& a, const Disconnect& b) {
  return a.reasonCode == b.reasonCode && sameFields(a.properties, b.properties);
}

inline bool sameFields(const Auth& a, const Auth& b) {
  return a.reasonCode == b.reasonCode && sameFields(a.properties, b.properties);
}

inline bool sameFields(const AnyPacket& a, const AnyPacket& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) { return sameFields(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

}  // namespace mqgw::mqtt::testing
