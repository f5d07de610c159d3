#include "connection.h"

#include "auth.h"
#include "host.h"
#include "metrics.h"
#include "mqtt/codec_io.h"
#include "outbound.h"
#include "topic_alias.h"
#include "v5_extras.h"
#include "wire.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;
using mqtt::PacketType;

mqtt::Buffer& scratchBuffer() {
  thread_local mqtt::Buffer buffer;
  buffer.clear();
  return buffer;
}

uint32_t maxPacketSize() {
  constexpr uint32_t kMqttMax = 268435455 + 5;  // largest remaining length + fixed header
  uint32_t configured = host().limits()->max_packet_size;
  return configured == 0 ? kMqttMax : configured;
}

MqttConnection::MqttConnection(const FrontendConfig& cfg, mqgw_conn* conn)
    : cfg_(&cfg), conn_(conn) {}

MqttConnection::~MqttConnection() = default;

V5Extras& MqttConnection::v5Extras() {
  if (!v5_) v5_ = std::make_unique<V5Extras>();
  return *v5_;
}

AuthState* MqttConnection::auth() const { return v5_ ? v5_->auth.get() : nullptr; }

void MqttConnection::open() { host().conn_set_idle_timeout(conn_, cfg_->connectTimeoutMs); }

long MqttConnection::onData(const uint8_t* data, size_t len) {
  const uint32_t maxPacket = maxPacketSize();
  size_t used = 0;
  // The first byte already says whether this is a CONNECT: anything else (a Flash policy
  // request, HTTP, TLS on the wrong port) closes now, not when its claimed length has arrived.
  if (phase_ == Phase::AwaitConnect && len > 0 && (data[0] >> 4) != 1)
    return failProtocol(protocolError("first packet is not CONNECT"));
  while (used < len && canWrite()) {
    mqtt::FrameResult r = mqtt::readFrame({data + used, len - used}, maxPacket);
    if (r.status == mqtt::Status::NeedMore) break;
    if (r.status == mqtt::Status::Error) return failProtocol(r.error);
    used += r.frame.size;
    if (Verdict v = handleFrame(r.frame)) return failProtocol(*v);
  }
  return static_cast<long>(used);
}

Verdict MqttConnection::handleFrame(const mqtt::Frame& f) {
  if (phase_ == Phase::AwaitConnect && f.type != PacketType::Connect)
    return protocolError("first packet is not CONNECT");
  // MQTT 5 3.1.2.11.9: while the CONNECT's authentication runs, only AUTH or DISCONNECT.
  if (phase_ == Phase::Authenticating && f.type != PacketType::Auth &&
      f.type != PacketType::Disconnect)
    return protocolError("a packet other than AUTH before CONNACK");
  switch (f.type) {
    case PacketType::Connect: return handleConnect(f);
    case PacketType::Publish: return handlePublish(f);
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubcomp: return handleDeliveryAck(f);
    case PacketType::Pubrel: return handlePubrel(f);
    case PacketType::Subscribe: return handleSubscribe(f);
    case PacketType::Unsubscribe: return handleUnsubscribe(f);
    case PacketType::Pingreq: {
      mqtt::Buffer& b = scratchBuffer();
      mqtt::encodePingresp(b);
      write(b);
      return std::nullopt;
    }
    case PacketType::Disconnect: return handleDisconnect(f);
    case PacketType::Auth: return handleAuth(f);
    default: return protocolError("a packet only a server sends");
  }
}

std::string_view MqttConnection::clientId() const {
  if (!session_) return {};
  mqgw_str id = host().session_client_id(session_);
  return {id.ptr, id.len};
}

long MqttConnection::failProtocol(const DecodeError& e) {
  bump(gMetrics.protocolErrors);
  if (phase_ == Phase::Closed) return MQGW_E_PROTOCOL;
  std::string_view id = clientId();
  host().log(MQGW_LOG_DEBUG, "mqtt", "client '%.*s': protocol error 0x%02x: %s",
             static_cast<int>(id.size()), id.data(), e.reason, e.what);
  // Only a v5 session that got its CONNACK may be told why with DISCONNECT (MQTT 5 4.13); one
  // still authenticating gets the CONNACK it waits for, refusing it.
  if (phase_ == Phase::Connected && v5()) sendDisconnect(e.reason, e.what);
  if (phase_ == Phase::Authenticating) {
    endExchange();
    const bool fits = mqtt::detail::validReasonCode(PacketType::Connack, e.reason);
    writeConnackRefusal(version_, fits ? e.reason : reason::ProtocolError, e.what);
  }
  phase_ = Phase::Closing;  // the core closes on the negative return
  return MQGW_E_PROTOCOL;
}

void MqttConnection::closeConnection(int reason) {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closing;
  host().conn_close(conn_, reason);  // may run on_close before returning
}

void MqttConnection::write(const mqtt::Buffer& bytes) {
  if (canWrite()) host().conn_write(conn_, bytes.data(), bytes.size());
}

void MqttConnection::sendAck(PacketType type, uint16_t packetId, uint8_t reasonCode) {
  thread_local mqtt::Ack ack;  // reused to avoid constructing one; only the Reason String varies
  ack.type = type;
  ack.packetId = packetId;
  ack.reasonCode = v5() ? reasonCode : 0;
  addReasonString(ack.properties, ack.reasonCode, nullptr, false);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeAck(ack, version_, b);
  write(b);
}

void MqttConnection::sendDisconnect(uint8_t reasonCode, const char* why) {
  mqtt::Disconnect d;
  d.reasonCode = reasonCode;
  addReasonString(d.properties, reasonCode, why, true);
  mqtt::Buffer& b = scratchBuffer();
  mqtt::encodeDisconnect(d, version_, b);
  write(b);
}

void MqttConnection::onClose(int) {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closed;
  endExchange();  // the plugin's exchange state is freed even mid-exchange
  releaseWill();
  parkSession();  // a persistent session keeps what it still owes; then it is closed
  out_.reset();  // releases the refs of queued deliveries
  conn_ = nullptr;
}

// The connection ended without a normal DISCONNECT (MQTT 3.1.1 3.1.2.5): publish the will,
// or with an MQTT 5 Will Delay Interval let the core publish it later unless the session
// resumes first (MQTT 5 3.1.3.2.2).
void MqttConnection::releaseWill() {
  if (!will_) return;
  if (session_ && !willSuppressed_) {
    if (willDelayS_ > 0)
      host().session_set_will(session_, will_, willDelayS_);
    else
      host().publish(session_, will_, 0);
  }
  host().message_unref(will_);
  will_ = nullptr;
}

void MqttConnection::onDrain() {
  if (phase_ == Phase::Connected) pump();
}

void MqttConnection::onTimeout() {
  if (phase_ == Phase::Connected) {
    bump(gMetrics.keepaliveTimeouts);
    if (v5()) sendDisconnect(reason::KeepAliveTimeout);
  }
  if (phase_ != Phase::Closed) phase_ = Phase::Closing;  // the core closes after we return
}

void MqttConnection::onKick(int why) {
  if (phase_ == Phase::Closed) return;
  if (phase_ == Phase::Connected && v5()) {
    sendDisconnect(why == MQGW_CLOSE_TAKEOVER   ? reason::SessionTakenOver
                   : why == MQGW_CLOSE_SHUTDOWN ? reason::ServerShuttingDown
                                                : reason::AdministrativeAction);
  }
  if (why == MQGW_CLOSE_TAKEOVER) {
    // Hand the session over now, not after the flush: the new connection resumes it at once.
    releaseWill();
    parkSession();
  }
  closeConnection(why);
}

}  // namespace mqgw::mqttfe
