// Sans-I/O MQTT 3.1 / 3.1.1 / 5.0 codec: no sockets, no threads, no allocation on decode.
//
// Decoding is two steps: readFrame() finds one whole packet in a byte span (or says it needs
// more), then decode<Packet>() fills a struct whose string fields are views into that span, so
// the caller must keep the bytes alive while it uses the struct. Encoding appends to a
// std::vector<uint8_t>. Wire errors never assert: they come back as a DecodeError with the MQTT 5
// reason code a server should send before closing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace mqgw::mqtt {

enum class Version : uint8_t { V31 = 3, V311 = 4, V5 = 5 };

enum class PacketType : uint8_t {
  Connect = 1, Connack = 2, Publish = 3, Puback = 4, Pubrec = 5, Pubrel = 6, Pubcomp = 7,
  Subscribe = 8, Suback = 9, Unsubscribe = 10, Unsuback = 11, Pingreq = 12, Pingresp = 13,
  Disconnect = 14, Auth = 15
};

// MQTT 5 reason codes (a subset has v3 equivalents; see connackV3Code()).
namespace reason {
inline constexpr uint8_t Success = 0x00, GrantedQos1 = 0x01, GrantedQos2 = 0x02,
    DisconnectWithWill = 0x04, NoMatchingSubscribers = 0x10, NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18, ReAuthenticate = 0x19, UnspecifiedError = 0x80,
    MalformedPacket = 0x81, ProtocolError = 0x82, ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84, ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86, NotAuthorized = 0x87, ServerUnavailable = 0x88,
    ServerBusy = 0x89, Banned = 0x8A, ServerShuttingDown = 0x8B, BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D, SessionTakenOver = 0x8E, TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90, PacketIdentifierInUse = 0x91, PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93, TopicAliasInvalid = 0x94, PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96, QuotaExceeded = 0x97, AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99, RetainNotSupported = 0x9A, QosNotSupported = 0x9B,
    UseAnotherServer = 0x9C, ServerMoved = 0x9D, SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F, MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1, WildcardSubscriptionsNotSupported = 0xA2;
}  // namespace reason

// v3.x CONNACK return codes.
namespace connack_v3 {
inline constexpr uint8_t Accepted = 0, BadProtocolVersion = 1, IdentifierRejected = 2,
    ServerUnavailable = 3, BadUsernameOrPassword = 4, NotAuthorized = 5;
}
// Maps an MQTT 5 CONNACK reason to the nearest v3 return code.
uint8_t connackV3Code(uint8_t v5Reason);

struct UserProperty {
  std::string_view key;
  std::string_view value;
};

// Every MQTT 5 property. Absent = std::nullopt / empty vector. Views point into the packet.
struct Properties {
  std::optional<uint8_t> payloadFormatIndicator;       // 0x01
  std::optional<uint32_t> messageExpiryInterval;       // 0x02
  std::optional<std::string_view> contentType;         // 0x03
  std::optional<std::string_view> responseTopic;       // 0x08
  std::optional<std::string_view> correlationData;     // 0x09 (binary)
  std::vector<uint32_t> subscriptionIdentifiers;       // 0x0B (repeatable in PUBLISH)
  std::optional<uint32_t> sessionExpiryInterval;       // 0x11
  std::optional<std::string_view> assignedClientIdentifier;  // 0x12
  std::optional<uint16_t> serverKeepAlive;             // 0x13
  std::optional<std::string_view> authenticationMethod;      // 0x15
  std::optional<std::string_view> authenticationData;  // 0x16 (binary)
  std::optional<uint8_t> requestProblemInformation;    // 0x17
  std::optional<uint32_t> willDelayInterval;           // 0x18
  std::optional<uint8_t> requestResponseInformation;   // 0x19
  std::optional<std::string_view> responseInformation; // 0x1A
  std::optional<std::string_view> serverReference;     // 0x1C
  std::optional<std::string_view> reasonString;        // 0x1F
  std::optional<uint16_t> receiveMaximum;              // 0x21
  std::optional<uint16_t> topicAliasMaximum;           // 0x22
  std::optional<uint16_t> topicAlias;                  // 0x23
  std::optional<uint8_t> maximumQos;                   // 0x24
  std::optional<uint8_t> retainAvailable;              // 0x25
  std::vector<UserProperty> userProperties;            // 0x26 (repeatable, order kept)
  std::optional<uint32_t> maximumPacketSize;           // 0x27
  std::optional<uint8_t> wildcardSubscriptionAvailable;      // 0x28
  std::optional<uint8_t> subscriptionIdentifierAvailable;    // 0x29
  std::optional<uint8_t> sharedSubscriptionAvailable;        // 0x2A
};

struct Will {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
  Properties properties;  // v5 will properties
};

struct Connect {
  std::string_view protocolName;  // "MQTT" or "MQIsdp"
  Version version = Version::V311;
  bool cleanStart = true;
  uint16_t keepAlive = 0;
  std::string_view clientId;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;  // binary
  Properties properties;
};

struct Connack {
  bool sessionPresent = false;
  uint8_t reasonCode = 0;  // v5 reason, or v3 return code when encoding for v3
  Properties properties;
};

struct Publish {
  bool dup = false;
  uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;
  uint16_t packetId = 0;  // present when qos > 0
  Properties properties;
  std::string_view payload;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP share one shape.
struct Ack {
  PacketType type = PacketType::Puback;
  uint16_t packetId = 0;
  uint8_t reasonCode = 0;  // v5 only; 0 when absent
  Properties properties;
};

struct SubscribeTopic {
  std::string_view filter;
  uint8_t qos = 0;
  bool noLocal = false;
  bool retainAsPublished = false;
  uint8_t retainHandling = 0;
};

struct Subscribe {
  uint16_t packetId = 0;
  Properties properties;
  std::vector<SubscribeTopic> topics;
};

struct Suback {
  uint16_t packetId = 0;
  Properties properties;
  std::vector<uint8_t> reasonCodes;  // v3: granted QoS or 0x80
};

struct Unsubscribe {
  uint16_t packetId = 0;
  Properties properties;
  std::vector<std::string_view> filters;
};

struct Unsuback {
  uint16_t packetId = 0;
  Properties properties;
  std::vector<uint8_t> reasonCodes;  // v5 only
};

struct Disconnect {
  uint8_t reasonCode = 0;  // v5 only
  Properties properties;
};

struct Auth {
  uint8_t reasonCode = 0;
  Properties properties;
};

// ---- decoding ----
enum class Status : uint8_t { Ok, NeedMore, Error };

struct DecodeError {
  uint8_t reason = reason::MalformedPacket;  // MalformedPacket, ProtocolError, PacketTooLarge, ...
  const char* what = "";                     // static text for logs
};

struct Frame {
  PacketType type{};
  uint8_t flags = 0;              // low nibble of the first byte
  std::span<const uint8_t> body;  // variable header + payload
  size_t size = 0;                // whole packet length in the input (header + body)
};

struct FrameResult {
  Status status = Status::NeedMore;
  Frame frame;
  DecodeError error;
};

// Finds the first packet in `in`. NeedMore when it is incomplete; Error on a malformed remaining
// length, a reserved type 0, or a packet larger than maxPacketSize (reason PacketTooLarge).
// Fixed-header flag checks per type happen here too (e.g. PUBREL must be 0b0010).
FrameResult readFrame(std::span<const uint8_t> in, uint32_t maxPacketSize);

// Each decoder takes a Frame of the right type and the connection's negotiated version
// (decodeConnect discovers it). Returns std::nullopt on success, or the error.
std::optional<DecodeError> decodeConnect(const Frame& f, Connect& out);
std::optional<DecodeError> decodeConnack(const Frame& f, Version v, Connack& out);
std::optional<DecodeError> decodePublish(const Frame& f, Version v, Publish& out);
std::optional<DecodeError> decodeAck(const Frame& f, Version v, Ack& out);
std::optional<DecodeError> decodeSubscribe(const Frame& f, Version v, Subscribe& out);
std::optional<DecodeError> decodeSuback(const Frame& f, Version v, Suback& out);
std::optional<DecodeError> decodeUnsubscribe(const Frame& f, Version v, Unsubscribe& out);
std::optional<DecodeError> decodeUnsuback(const Frame& f, Version v, Unsuback& out);
std::optional<DecodeError> decodeDisconnect(const Frame& f, Version v, Disconnect& out);
std::optional<DecodeError> decodeAuth(const Frame& f, Version v, Auth& out);
// PINGREQ / PINGRESP have no body; readFrame already checked it is empty.

// Protocol name/level check done before the rest of CONNECT is trusted: true when the
// name/level pair is one we speak (MQIsdp/3, MQTT/4, MQTT/5).
bool supportedProtocol(std::string_view name, uint8_t level);

// ---- encoding (appends to out; properties are written only for Version::V5) ----
using Buffer = std::vector<uint8_t>;
void encodeConnect(const Connect& p, Buffer& out);  // uses p.version
void encodeConnack(const Connack& p, Version v, Buffer& out);
void encodePublish(const Publish& p, Version v, Buffer& out);
void encodeAck(const Ack& p, Version v, Buffer& out);
void encodeSubscribe(const Subscribe& p, Version v, Buffer& out);
void encodeSuback(const Suback& p, Version v, Buffer& out);
void encodeUnsubscribe(const Unsubscribe& p, Version v, Buffer& out);
void encodeUnsuback(const Unsuback& p, Version v, Buffer& out);
void encodePingreq(Buffer& out);
void encodePingresp(Buffer& out);
void encodeDisconnect(const Disconnect& p, Version v, Buffer& out);
void encodeAuth(const Auth& p, Buffer& out);  // v5 only

// Size of the whole encoded PUBLISH, to check a peer's Maximum Packet Size before encoding.
size_t publishSize(const Publish& p, Version v);

// Variable byte integer helpers, exposed for tests and other codecs.
size_t varintSize(uint32_t value);                  // 1..4; value must be < 268435456
void appendVarint(uint32_t value, Buffer& out);

}  // namespace mqgw::mqtt
