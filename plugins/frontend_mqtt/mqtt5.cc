// MQTT 5 extras on top of the basic state machine: topic aliases both ways, reason strings,
// Request Problem/Response Information, and the Payload Format Indicator check.
#include <string>

#include "connection.h"
#include "host.h"
#include "mqtt/codec_io.h"
#include "topic_alias.h"
#include "v5_extras.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;

const char* reasonText(uint8_t code) {
  switch (code) {
    case reason::UnspecifiedError: return "unspecified error";
    case reason::MalformedPacket: return "malformed packet";
    case reason::ProtocolError: return "protocol error";
    case reason::ImplementationSpecificError: return "refused by the gateway";
    case reason::UnsupportedProtocolVersion: return "unsupported protocol version";
    case reason::ClientIdentifierNotValid: return "client identifier not valid";
    case reason::NotAuthorized: return "not authorized";
    case reason::ServerUnavailable: return "server unavailable";
    case reason::ServerShuttingDown: return "server shutting down";
    case reason::BadAuthenticationMethod: return "authentication method not supported";
    case reason::KeepAliveTimeout: return "keep alive timeout";
    case reason::SessionTakenOver: return "session taken over";
    case reason::TopicFilterInvalid: return "topic filter invalid";
    case reason::TopicNameInvalid: return "topic name invalid";
    case reason::PacketIdentifierNotFound: return "packet identifier not found";
    case reason::ReceiveMaximumExceeded: return "receive maximum exceeded";
    case reason::TopicAliasInvalid: return "topic alias invalid";
    case reason::PacketTooLarge: return "packet too large";
    case reason::QuotaExceeded: return "quota exceeded";
    case reason::AdministrativeAction: return "administrative action";
    case reason::PayloadFormatInvalid: return "payload is not valid UTF-8";
    case reason::RetainNotSupported: return "retain not supported";
    case reason::QosNotSupported: return "QoS not supported";
    case reason::SharedSubscriptionsNotSupported: return "shared subscriptions not supported";
    case reason::SubscriptionIdentifiersNotSupported:
      return "subscription identifiers not supported";
    case reason::WildcardSubscriptionsNotSupported: return "wildcard subscriptions not supported";
    default: return nullptr;
  }
}

bool payloadFormatValid(const mqtt::Publish& p) {
  if (p.properties.payloadFormatIndicator.value_or(0) != 1) return true;
  // Same rules as every MQTT string, except that U+0000 is allowed in a payload.
  std::string_view rest = p.payload;
  for (size_t nul = rest.find('\0'); nul != std::string_view::npos; nul = rest.find('\0')) {
    if (!mqtt::detail::validMqttUtf8(rest.substr(0, nul))) return false;
    rest.remove_prefix(nul + 1);
  }
  return mqtt::detail::validMqttUtf8(rest);
}

TopicAliases& MqttConnection::aliases() {
  V5Extras& x = v5Extras();
  if (!x.aliases) x.aliases = std::make_unique<TopicAliases>();
  return *x.aliases;
}

Verdict MqttConnection::resolveTopicAlias(mqtt::Publish& p) {
  if (!v5() || !p.properties.topicAlias) return std::nullopt;
  return aliases().resolveInbound(p, cfg_->topicAliasMaximum);
}

uint16_t MqttConnection::applyTopicAlias(mqtt::Publish& p) {
  p.properties.topicAlias.reset();  // the Publish is reused across deliveries
  if (clientAliasMax_ == 0) return 0;
  bool isNew = false;
  const uint16_t alias = aliases().outboundAlias(p.topic, clientAliasMax_, isNew);
  if (alias == 0) return 0;
  p.properties.topicAlias = alias;
  if (isNew) return alias;  // topic and alias together bind it on the client's side
  p.topic = {};
  return 0;
}

void MqttConnection::commitTopicAlias(std::string_view topic, uint16_t alias) {
  if (alias) aliases().bindOutbound(topic, alias);
}

void MqttConnection::noteConnectOptions(const mqtt::Connect& c) {
  if (!v5()) return;
  const mqtt::Properties& p = c.properties;
  clientAliasMax_ = p.topicAliasMaximum.value_or(0);
  problemInfo_ = p.requestProblemInformation.value_or(1) != 0;
  responseInfo_ = p.requestResponseInformation.value_or(0) == 1;
}

void MqttConnection::addConnackExtras(mqtt::Properties& p) {
  p.topicAliasMaximum = cfg_->topicAliasMaximum;
  p.subscriptionIdentifierAvailable = 1;
  if (responseInfo_) {
    // The view must outlive the encode right after this; one string per thread is enough.
    thread_local std::string info;
    info = cfg_->responseInfoPrefix;
    info.append(clientId());
    info.push_back('/');
    p.responseInformation = info;
  }
}

void MqttConnection::addReasonString(mqtt::Properties& p, uint8_t code, const char* why,
                                     bool always) {
  p.reasonString.reset();
  if (!v5() || code < 0x80 || !(always || problemInfo_)) return;
  if (!why) why = reasonText(code);
  if (!why) return;
  std::string_view text(why);
  // MQTT 5 3.1.2.11.4: a Reason String must not push a packet past the client's limit; our
  // acks and DISCONNECTs are under 10 bytes without it.
  if (clientMaxPacket_ && text.size() + 16 > clientMaxPacket_) return;
  p.reasonString = text;
}

}  // namespace mqgw::mqttfe
