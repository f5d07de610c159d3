// CONNECT: protocol checks, client id, keepalive, will, session, CONNACK.
#include <algorithm>
#include <random>

#include "connection.h"
#include "host.h"
#include "message_bridge.h"
#include "metrics.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;
using mqtt::Version;

namespace {

std::string generateClientId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = rng();
  std::string id = "auto-";
  for (int i = 0; i < 16; ++i, bits >>= 4) id.push_back(kHex[bits & 0xF]);
  return id;
}

// The protocol level byte of a CONNECT we could not decode, 0 if the body is too short.
uint8_t peekProtocolLevel(const mqtt::Frame& f) {
  if (f.body.size() < 2) return 0;
  size_t nameLen = size_t(f.body[0]) << 8 | f.body[1];
  return f.body.size() > 2 + nameLen ? f.body[2 + nameLen] : 0;
}

}  // namespace

thread_local const char* MqttConnection::refusalReason_ = nullptr;

// The CONNACK for a session_open refusal (the console's admission, ABI 1.2). Bad credentials
// are 0x86 for v5 and, as the product has it, 0x05 Not authorized for v3.
uint8_t MqttConnection::connackReasonFor(int status) const {
  switch (status) {
    case MQGW_E_BAD_CLIENT_ID: return reason::ClientIdentifierNotValid;
    case MQGW_E_BAD_CREDENTIALS: return v5() ? reason::BadUserNameOrPassword : reason::NotAuthorized;
    case MQGW_E_DENIED: return reason::NotAuthorized;
    case MQGW_E_QUOTA: return reason::QuotaExceeded;
    default: return reason::ServerUnavailable;
  }
}

Verdict MqttConnection::handleConnect(const mqtt::Frame& f) {
  if (phase_ != Phase::AwaitConnect) return protocolError("second CONNECT");
  mqtt::Connect c;  // once per connection: a local is fine
  if (Verdict e = mqtt::decodeConnect(f, c)) {
    if (e->reason == reason::UnsupportedProtocolVersion) {
      refuseUnsupportedProtocol(f);
      return std::nullopt;
    }
    if (c.version == Version::V5) {
      // MQTT 5 4.13.1: a CONNACK with the reason may precede the close.
      version_ = Version::V5;
      mqtt::Connack ack;
      ack.reasonCode = e->reason;
      mqtt::Buffer& b = scratchBuffer();
      mqtt::encodeConnack(ack, version_, b);
      write(b);
    }
    return e;
  }
  version_ = c.version;
  if (v5() && c.properties.authenticationMethod) return beginAuth(f, c);  // auth.cc
  bool sessionPresent = false;
  if (std::optional<uint8_t> refused = acceptConnect(c, sessionPresent))
    refuseConnect(version_, *refused, refusalReason_);
  return std::nullopt;
}

void MqttConnection::refuseUnsupportedProtocol(const mqtt::Frame& f) {
  // Only a level-5 client can read a v5 CONNACK; any other level gets the v3 shape (as
  // Mosquitto does), which is also what a future version expects to be refused with.
  refuseConnect(peekProtocolLevel(f) == 5 ? Version::V5 : Version::V311,
                reason::UnsupportedProtocolVersion);
}

void MqttConnection::refuseConnect(Version v, uint8_t v5Reason, const char* why) {
  writeConnackRefusal(v, v5Reason, why);
  bump(gMetrics.connackRefused);
  host().log(MQGW_LOG_DEBUG, "mqtt", "CONNECT refused with 0x%02x", v5Reason);
  closeConnection(MQGW_CLOSE_NORMAL);
}

void MqttConnection::writeConnackRefusal(Version v, uint8_t v5Reason, const char* why) {
  version_ = v;
  mqtt::Connack ack;
  ack.reasonCode = v == Version::V5 ? v5Reason : mqtt::connackV3Code(v5Reason);
  addReasonString(ack.properties, ack.reasonCode, why, true);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeConnack(ack, v, b);
  write(b);
}

// Everything that can refuse the connection, then the session and the CONNACK. Returns the
// MQTT 5 reason when refused (the caller sends it, mapped for v3).
std::optional<uint8_t> MqttConnection::acceptConnect(const mqtt::Connect& c,
                                                     bool& sessionPresent) {
  bool idAssigned = false;
  refusalReason_ = nullptr;
  std::string generated;  // the core's session keeps the id from session_open on
  std::string_view id = c.clientId;
  if (id.empty()) {
    // 3.1.1 3.1.3-8: an empty id needs a clean session; MQTT 5 always lets the server assign.
    if (!v5() && !c.cleanStart) return reason::ClientIdentifierNotValid;
    generated = generateClientId();
    id = generated;
    idAssigned = true;
  }
  if (uint8_t refused = keepWill(c, id)) return refused;
  uint32_t keepAliveS = 0;
  std::optional<uint16_t> serverKeepAlive = negotiateKeepAlive(c.keepAlive, keepAliveS);

  mqgw_session_params params{};
  params.struct_size = sizeof params;
  params.client_id = toStr(id);
  params.clean_start = c.cleanStart ? 1 : 0;
  // A 3.1.1 session without clean session "never" expires and MQTT 5 may ask for that too
  // (0xFFFFFFFF): both are held to session_expiry_max, so abandoned Client IDs cannot pile up.
  const uint32_t requested = v5() ? c.properties.sessionExpiryInterval.value_or(0)
                                  : (c.cleanStart ? 0 : UINT32_MAX);
  params.expiry_interval_s = std::min(requested, cfg_->sessionExpiryMaxS);
  params.has_username = c.username.has_value();
  params.username = toStr(c.username.value_or(""));
  params.has_password = c.password.has_value();
  params.password = toStr(c.password.value_or(""));
  const bool expiryCapped = params.expiry_interval_s != requested;
  connectExpiryZero_ = params.expiry_interval_s == 0;
  int present = 0;
  if (int rc = host().session_open(conn_, &params, &session_, &present); rc != MQGW_OK) {
    session_ = nullptr;
    refusalReason_ = params.refusal_reason;
    return connackReasonFor(rc);
  }
  sessionPresent = present != 0 && !c.cleanStart;
  phase_ = Phase::Connected;
  clientMaxPacket_ = v5() ? c.properties.maximumPacketSize.value_or(0) : 0;
  noteConnectOptions(c);
  uint32_t window = cfg_->maxInflight;
  if (v5()) window = std::min<uint32_t>(window, c.properties.receiveMaximum.value_or(65535));
  uint32_t coreLimit = host().limits()->max_inflight;
  if (coreLimit > 0) window = std::min(window, coreLimit);
  sendWindow_ = std::max<uint32_t>(window, 1);
  host().conn_set_idle_timeout(conn_, uint64_t(keepAliveS) * 1500);  // 1.5 x keepalive
  bump(gMetrics.connects);
  sendConnack(sessionPresent, idAssigned, serverKeepAlive,
              expiryCapped ? std::optional<uint32_t>(params.expiry_interval_s) : std::nullopt);
  // A resumed session's backlog follows the CONNACK: in-flight again with DUP, then queued.
  host().session_resume(session_);
  return std::nullopt;
}

// The keepalive we hold the client to, and the Server Keep Alive to announce (v5) if it
// differs from the request. v3 clients cannot be told, so their request stands.
std::optional<uint16_t> MqttConnection::negotiateKeepAlive(uint16_t requested,
                                                           uint32_t& effectiveS) const {
  const mqgw_limits& l = *host().limits();
  effectiveS = requested;
  if (!v5()) return std::nullopt;
  uint32_t wanted = requested;
  if (l.keepalive_max_s > 0 && (requested == 0 || requested > l.keepalive_max_s))
    wanted = l.keepalive_max_s;
  else if (requested != 0 && requested < l.keepalive_min_s)
    wanted = l.keepalive_min_s;
  wanted = std::min<uint32_t>(wanted, 65535);
  if (wanted == requested) return std::nullopt;
  effectiveS = wanted;
  return static_cast<uint16_t>(wanted);
}

// Builds the will message now (it must outlive the CONNECT bytes). Returns a v5 reason when
// the will makes the CONNECT unacceptable, 0 otherwise.
uint8_t MqttConnection::keepWill(const mqtt::Connect& c, std::string_view clientId) {
  if (!c.will) return 0;
  if (!host().topic_valid_name(toStr(c.will->topic))) return reason::TopicNameInvalid;
  thread_local std::vector<mqgw_user_prop> props;
  willDelayS_ = v5() ? c.will->properties.willDelayInterval.value_or(0) : 0;
  mqgw_message_view view = viewOfWill(*c.will, clientId, props);
  will_ = host().message_create(&view);
  return will_ ? 0 : reason::ServerUnavailable;
}

void MqttConnection::sendConnack(bool sessionPresent, bool idAssigned,
                                 std::optional<uint16_t> serverKeepAlive,
                                 std::optional<uint32_t> sessionExpiry) {
  mqtt::Connack ack;
  ack.sessionPresent = sessionPresent;
  ack.reasonCode = reason::Success;
  if (v5()) {
    mqtt::Properties& p = ack.properties;
    p.receiveMaximum = static_cast<uint16_t>(cfg_->maxInflight);
    p.maximumPacketSize = maxPacketSize();
    p.retainAvailable = 1;
    p.wildcardSubscriptionAvailable = 1;
    p.sharedSubscriptionAvailable = 1;
    // Maximum QoS is left out: absent means 2, and MQTT 5 3.2.2.3.4 allows only 0 or 1 in it.
    if (idAssigned) p.assignedClientIdentifier = clientId();
    if (serverKeepAlive) p.serverKeepAlive = *serverKeepAlive;
    if (sessionExpiry) p.sessionExpiryInterval = *sessionExpiry;  // MQTT 5 3.2.2.3.2
    addConnackExtras(p);
    addAuthToConnack(p);  // MQTT 5 4.12.0-5: the method again, and the final data if any
  }
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeConnack(ack, version_, b);
  write(b);
}

}  // namespace mqgw::mqttfe
