// Reason code tables (MQTT 5 section 2.4 and each packet's reason code list), the v5 -> v3
// CONNACK mapping and the protocol name/level check.
#include <algorithm>
#include <initializer_list>

#include "mqtt/codec_io.h"

namespace mqgw::mqtt {

uint8_t connackV3Code(uint8_t v5Reason) {
  switch (v5Reason) {
    case reason::Success: return connack_v3::Accepted;
    case reason::UnsupportedProtocolVersion: return connack_v3::BadProtocolVersion;
    case reason::ClientIdentifierNotValid: return connack_v3::IdentifierRejected;
    case reason::BadUserNameOrPassword: return connack_v3::BadUsernameOrPassword;
    case reason::NotAuthorized:
    case reason::Banned:
    case reason::BadAuthenticationMethod: return connack_v3::NotAuthorized;
    default: return connack_v3::ServerUnavailable;
  }
}

bool supportedProtocol(std::string_view name, uint8_t level) {
  if (name == "MQTT") return level == 4 || level == 5;
  return name == "MQIsdp" && level == 3;
}

namespace detail {
namespace {
bool oneOf(uint8_t code, std::initializer_list<uint8_t> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}
}  // namespace

bool validReasonCode(PacketType type, uint8_t c) {
  using namespace reason;
  switch (type) {
    case PacketType::Connack:
      return oneOf(c, {Success, UnspecifiedError, MalformedPacket, ProtocolError,
          ImplementationSpecificError, UnsupportedProtocolVersion, ClientIdentifierNotValid,
          BadUserNameOrPassword, NotAuthorized, ServerUnavailable, ServerBusy, Banned,
          BadAuthenticationMethod, TopicNameInvalid, PacketTooLarge, QuotaExceeded,
          PayloadFormatInvalid, RetainNotSupported, QosNotSupported, UseAnotherServer,
          ServerMoved, ConnectionRateExceeded});
    case PacketType::Puback:
    case PacketType::Pubrec:
      return oneOf(c, {Success, NoMatchingSubscribers, UnspecifiedError,
          ImplementationSpecificError, NotAuthorized, TopicNameInvalid, PacketIdentifierInUse,
          QuotaExceeded, PayloadFormatInvalid});
    case PacketType::Pubrel:
    case PacketType::Pubcomp: return c == Success || c == PacketIdentifierNotFound;
    case PacketType::Suback:
      return oneOf(c, {GrantedQos1, GrantedQos2, Success, UnspecifiedError,
          ImplementationSpecificError, NotAuthorized, TopicFilterInvalid,
          PacketIdentifierInUse, QuotaExceeded, SharedSubscriptionsNotSupported,
          SubscriptionIdentifiersNotSupported, WildcardSubscriptionsNotSupported});
    case PacketType::Unsuback:
      return oneOf(c, {Success, NoSubscriptionExisted, UnspecifiedError,
          ImplementationSpecificError, NotAuthorized, TopicFilterInvalid,
          PacketIdentifierInUse});
    case PacketType::Disconnect:
      return c == Success || c == DisconnectWithWill ||
          (c >= UnspecifiedError && c <= WildcardSubscriptionsNotSupported &&
           !oneOf(c, {UnsupportedProtocolVersion, ClientIdentifierNotValid,
               BadUserNameOrPassword, ServerUnavailable, Banned, BadAuthenticationMethod,
               PacketIdentifierInUse, PacketIdentifierNotFound}));
    case PacketType::Auth:
      return c == Success || c == ContinueAuthentication || c == ReAuthenticate;
    default: return false;
  }
}

}  // namespace detail
}  // namespace mqgw::mqtt
