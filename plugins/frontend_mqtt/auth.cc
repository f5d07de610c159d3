// MQTT 5 enhanced authentication (4.12): a CONNECT naming an Authentication Method that an auth
// plugin serves starts an exchange (host auth_start); each AUTH 0x18 from the client is one
// step (auth_step) until the plugin says SUCCESS (CONNACK 0x00) or FAIL (CONNACK >= 0x80).
// Until then only AUTH and DISCONNECT may arrive (MQTT 5 3.1.2.11.9). A connected client that
// authenticated this way may re-authenticate with AUTH 0x19: success is AUTH 0x00, failure
// DISCONNECT (4.12.1). Each exchange is bounded by kMaxAuthSteps and by connect_timeout.
#include "auth.h"

#include <cstddef>

#include "connection.h"
#include "v5_extras.h"
#include "host.h"
#include "metrics.h"
#include "mqtt/codec_io.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;
using mqtt::PacketType;

bool hostHasAuth() {
  constexpr size_t need = offsetof(mqgw_host_api, auth_finish) + sizeof(void*);
  const mqgw_host_api& h = host();
  return h.struct_size >= need && h.auth_find && h.auth_start && h.auth_step && h.auth_finish;
}

mqgw_auth_request MqttConnection::authRequest(std::string_view method,
                                              std::string_view data) const {
  mqgw_auth_request req{};
  req.struct_size = sizeof req;
  req.method = toStr(method);
  req.data = toStr(data);
  const mqgw_conn_info* info = host().conn_info(conn_);
  req.peer = info && info->peer ? info->peer : "";
  req.secure = info && info->secure ? 1 : 0;
  req.peer_subject = info && info->struct_size >= offsetof(mqgw_conn_info, peer_subject) +
                                                      sizeof info->peer_subject
                         ? info->peer_subject
                         : nullptr;
  return req;
}

Verdict MqttConnection::beginAuth(const mqtt::Frame& f, const mqtt::Connect& c) {
  const std::string_view method = *c.properties.authenticationMethod;
  const mqgw_auth* served = hostHasAuth() ? host().auth_find(toStr(method)) : nullptr;
  if (!served) {  // MQTT 5 4.12.0-1
    refuseConnect(version_, reason::BadAuthenticationMethod);
    return std::nullopt;
  }
  v5Extras().auth = std::make_unique<AuthState>();
  auth()->method = served;
  auth()->name = method;
  auth()->connectBody.assign(f.body.begin(), f.body.end());  // accepted once the exchange ends
  auth()->deadlineMs = host().now_ms() + cfg_->connectTimeoutMs;
  clientMaxPacket_ = c.properties.maximumPacketSize.value_or(0);  // bounds our AUTH packets
  noteConnectOptions(c);
  phase_ = Phase::Authenticating;

  mqgw_auth_request req = authRequest(method, c.properties.authenticationData.value_or(""));
  req.client_id = toStr(c.clientId);
  req.has_username = c.username.has_value();
  req.username = toStr(c.username.value_or(""));
  req.has_password = c.password.has_value();
  req.password = toStr(c.password.value_or(""));
  mqgw_auth_reply r{};
  int rc = host().auth_start(served, &req, &auth()->exchange, &r);
  return applyAuthReply(rc, r);
}

Verdict MqttConnection::handleAuth(const mqtt::Frame& f) {
  if (!v5()) return DecodeError{reason::MalformedPacket, "AUTH before MQTT 5"};
  mqtt::Auth a;
  if (Verdict e = mqtt::decodeAuth(f, version_, a)) return e;
  // MQTT 5 4.12.0-7: no Authentication Method at CONNECT, no AUTH.
  if (!auth()) return protocolError("AUTH without an authentication method");
  // 4.12.0-5, 4.12.1-1: every AUTH repeats the method of the CONNECT.
  if (a.properties.authenticationMethod != std::string_view(auth()->name))
    return protocolError("AUTH with another authentication method");
  if (a.reasonCode == reason::ReAuthenticate) {
    if (phase_ != Phase::Connected || auth()->exchange)
      return protocolError("re-authentication during an exchange");
    return beginReauth(a);
  }
  // 4.12.0-3: the client answers the server's AUTH 0x18 with AUTH 0x18, and only then.
  if (a.reasonCode != reason::ContinueAuthentication || !auth()->exchange)
    return protocolError("AUTH out of sequence");
  return continueAuth(a);
}

Verdict MqttConnection::beginReauth(const mqtt::Auth& a) {
  auth()->steps = 0;
  auth()->deadlineMs = host().now_ms() + cfg_->connectTimeoutMs;
  mqgw_auth_request req = authRequest(auth()->name, a.properties.authenticationData.value_or(""));
  req.client_id = toStr(clientId());
  req.reauth = 1;
  mqgw_auth_reply r{};
  int rc = host().auth_start(auth()->method, &req, &auth()->exchange, &r);
  return applyAuthReply(rc, r);
}

Verdict MqttConnection::continueAuth(const mqtt::Auth& a) {
  if (++auth()->steps > kMaxAuthSteps) {
    failAuth(reason::NotAuthorized, "too many authentication steps");
    return std::nullopt;
  }
  if (host().now_ms() > auth()->deadlineMs) {
    failAuth(reason::NotAuthorized, "authentication took longer than connect_timeout");
    return std::nullopt;
  }
  const std::string_view data = a.properties.authenticationData.value_or("");
  mqgw_auth_reply r{};
  int rc = host().auth_step(auth()->exchange, reinterpret_cast<const uint8_t*>(data.data()),
                            data.size(), &r);
  return applyAuthReply(rc, r);
}

// The plugin's answer: what goes to the client next. The reply's strings belong to the
// exchange, so they are used (or copied) before the exchange ends.
Verdict MqttConnection::applyAuthReply(int rc, const mqgw_auth_reply& r) {
  if (rc != MQGW_OK) {
    std::string_view id = clientId();
    host().log(MQGW_LOG_WARN, "mqtt", "client '%.*s': auth method '%s' failed: %s",
               static_cast<int>(id.size()), id.data(), auth()->name.c_str(), host().err_name(rc));
    failAuth(reason::UnspecifiedError, nullptr);
    return std::nullopt;
  }
  if (r.result == MQGW_AUTH_CONTINUE) {
    if (!sendAuth(reason::ContinueAuthentication, r.data))
      failAuth(reason::PacketTooLarge, "authentication data too large");
    return std::nullopt;
  }
  if (r.result == MQGW_AUTH_SUCCESS) {
    if (phase_ == Phase::Authenticating) {
      auth()->hasFinalData = r.data.ptr != nullptr;
      auth()->finalData.assign(r.data.ptr ? r.data.ptr : "", r.data.len);
      endExchange();
      acceptAuthenticatedConnect();
    } else {
      const bool sent = sendAuth(reason::Success, r.data);
      endExchange();
      if (!sent) failAuth(reason::PacketTooLarge, "authentication data too large");
    }
    return std::nullopt;
  }
  const std::string why(r.reason.ptr ? r.reason.ptr : "", r.reason.len);
  failAuth(r.reason_code, why.empty() ? nullptr : why.c_str());
  return std::nullopt;
}

// The exchange succeeded: the kept CONNECT goes through the usual checks and gets its CONNACK.
void MqttConnection::acceptAuthenticatedConnect() {
  mqtt::Connect c;
  const mqtt::Frame f{PacketType::Connect, 0, auth()->connectBody, 0};
  bool sessionPresent = false;
  std::optional<uint8_t> refused;
  if (mqtt::decodeConnect(f, c))
    refused = reason::UnspecifiedError;  // decoded fine before: cannot happen
  else
    refused = acceptConnect(c, sessionPresent);  // views into connectBody: keep it until here
  if (refused) refuseConnect(version_, *refused, refusalReason_);
  std::vector<uint8_t>().swap(auth()->connectBody);
  std::string().swap(auth()->finalData);
}

// Refuses the authentication: CONNACK while connecting, DISCONNECT when re-authenticating (both
// with a code the packet may carry, else 0x87), then close.
void MqttConnection::failAuth(uint8_t code, const char* why) {
  endExchange();
  bump(gMetrics.authFailures);
  std::string_view id = clientId();
  host().log(MQGW_LOG_DEBUG, "mqtt", "client '%.*s': authentication refused with 0x%02x",
             static_cast<int>(id.size()), id.data(), code);
  if (phase_ == Phase::Authenticating) {
    if (!mqtt::detail::validReasonCode(PacketType::Connack, code) || code < 0x80)
      code = reason::NotAuthorized;
    refuseConnect(version_, code, why);
    return;
  }
  if (!mqtt::detail::validReasonCode(PacketType::Disconnect, code) || code < 0x80)
    code = reason::NotAuthorized;
  sendDisconnect(code, why);  // MQTT 5 4.12.1-2
  closeConnection(MQGW_CLOSE_NORMAL);
}

// AUTH carrying the method and the plugin's data. False (nothing sent) when it would exceed the
// client's Maximum Packet Size, which no packet to the client may.
bool MqttConnection::sendAuth(uint8_t reasonCode, const mqgw_str& data) {
  mqtt::Auth a;
  a.reasonCode = reasonCode;
  a.properties.authenticationMethod = auth()->name;
  if (data.ptr) a.properties.authenticationData = std::string_view(data.ptr, data.len);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeAuth(a, b);
  if (clientMaxPacket_ && b.size() > clientMaxPacket_) return false;
  write(b);
  return true;
}

void MqttConnection::endExchange() {
  if (!auth() || !auth()->exchange) return;
  host().auth_finish(auth()->exchange);
  auth()->exchange = nullptr;
}

void MqttConnection::addAuthToConnack(mqtt::Properties& p) const {
  if (!auth()) return;
  p.authenticationMethod = auth()->name;
  if (auth()->hasFinalData) p.authenticationData = auth()->finalData;
}

}  // namespace mqgw::mqttfe
