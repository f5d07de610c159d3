// One MQTT connection: the per-connection state machine AwaitConnect -> Connected -> Closing,
// with Authenticating between CONNECT and CONNACK while an MQTT 5 enhanced-authentication
// exchange runs (auth.cc).
//
// Re-entrancy: host calls made from inside a hook may call back into the same connection
// (host->publish can complete synchronously with on_publish_done and deliver to ourselves with
// on_deliver; host->conn_close can run on_close right away). The ops trampolines bracket every
// hook with enter()/leave(); on_close only marks the object Closed and the outermost leave()
// frees it, so no hook ever runs on freed memory. After Closed, conn_ is never touched.
//
// Size matters: an idle connection costs sizeof(MqttConnection) (about 90 bytes); the Client
// ID lives in the core's session; the outbound window and queue are allocated on the first
// QoS 1/2 delivery.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config.h"
#include "mqgw/plugin_abi.h"
#include "mqtt/mqtt_codec.h"

namespace mqgw::mqttfe {

struct AuthState;
struct V5Extras;
struct Outbound;
class TopicAliases;

enum class Phase : uint8_t { AwaitConnect, Authenticating, Connected, Closing, Closed };

// The outcome of handling one packet: nullopt, or why the connection must be closed.
using Verdict = std::optional<mqtt::DecodeError>;

class MqttConnection {
 public:
  MqttConnection(const FrontendConfig& cfg, mqgw_conn* conn);
  ~MqttConnection();
  MqttConnection(const MqttConnection&) = delete;
  MqttConnection& operator=(const MqttConnection&) = delete;

  // mqgw_frontend_ops hooks (see host_api.h)
  void open();
  long onData(const uint8_t* data, size_t len);
  void onClose(int reason);
  void onDrain();
  void onTimeout();
  int onDeliver(mqgw_message* msg, const mqgw_delivery& d);
  void onPublishDone(uint64_t cookie, int status);
  void onKick(int reason);

  void enter() { ++depth_; }
  // True when the caller must now delete this object (closed, and no hook is on the stack).
  bool leave() { return --depth_ == 0 && phase_ == Phase::Closed; }

  Phase phase() const { return phase_; }
  mqtt::Version version() const { return version_; }

 private:
  struct Qos2Inbound {
    uint16_t packetId;
    bool stored;  // PUBREC sent; waiting for PUBREL
  };

  // connection.cc: framing, dispatch, closing, writing
  Verdict handleFrame(const mqtt::Frame& f);
  long failProtocol(const mqtt::DecodeError& e);
  void closeConnection(int reason);
  bool v5() const { return version_ == mqtt::Version::V5; }
  bool canWrite() const {
    return phase_ == Phase::Connected || phase_ == Phase::AwaitConnect ||
           phase_ == Phase::Authenticating;
  }
  void write(const mqtt::Buffer& bytes);
  void sendAck(mqtt::PacketType type, uint16_t packetId, uint8_t reasonCode);
  void sendDisconnect(uint8_t reasonCode, const char* why = nullptr);

  // connect.cc
  Verdict handleConnect(const mqtt::Frame& f);
  void refuseConnect(mqtt::Version v, uint8_t v5Reason, const char* why = nullptr);
  void writeConnackRefusal(mqtt::Version v, uint8_t v5Reason, const char* why);
  void refuseUnsupportedProtocol(const mqtt::Frame& f);
  std::optional<uint8_t> acceptConnect(const mqtt::Connect& c, bool& sessionPresent);
  uint8_t connackReasonFor(int sessionOpenStatus) const;
  // Why session_open refused the last CONNECT on this thread (the core's text), for the v5
  // Reason String; static so that it costs idle connections nothing.
  static thread_local const char* refusalReason_;
  void sendConnack(bool sessionPresent, bool idAssigned, std::optional<uint16_t> serverKeepAlive,
                   std::optional<uint32_t> sessionExpiry);
  std::optional<uint16_t> negotiateKeepAlive(uint16_t requested, uint32_t& effectiveS) const;
  uint8_t keepWill(const mqtt::Connect& c, std::string_view clientId);
  // The Client ID as the core's session holds it ("" before CONNECT is accepted).
  std::string_view clientId() const;

  // auth.cc: MQTT 5 enhanced authentication through an auth plugin (host auth_*)
  Verdict beginAuth(const mqtt::Frame& f, const mqtt::Connect& c);
  Verdict handleAuth(const mqtt::Frame& f);
  Verdict beginReauth(const mqtt::Auth& a);
  Verdict continueAuth(const mqtt::Auth& a);
  Verdict applyAuthReply(int rc, const mqgw_auth_reply& r);
  void acceptAuthenticatedConnect();
  void failAuth(uint8_t code, const char* why);
  bool sendAuth(uint8_t reasonCode, const mqgw_str& data);
  void endExchange();
  void addAuthToConnack(mqtt::Properties& p) const;
  mqgw_auth_request authRequest(std::string_view method, std::string_view data) const;

  // inbound.cc: packets from the client that carry its own messages or requests
  Verdict handlePublish(const mqtt::Frame& f);
  Verdict checkPublish(const mqtt::Publish& p);
  void publishToCore(const mqtt::Publish& p);
  Verdict handlePubrel(const mqtt::Frame& f);
  Verdict handleSubscribe(const mqtt::Frame& f);
  Verdict handleUnsubscribe(const mqtt::Frame& f);
  Verdict handleDisconnect(const mqtt::Frame& f);
  void settleInbound(uint8_t qos, uint16_t packetId, int status);
  Qos2Inbound* findQos2(uint16_t packetId);
  void updateReadPause();

  // mqtt5.cc: MQTT 5 extras (topic aliases, reason strings, payload format, CONNACK extras)
  TopicAliases& aliases();
  Verdict resolveTopicAlias(mqtt::Publish& p);
  uint16_t applyTopicAlias(mqtt::Publish& p);
  void commitTopicAlias(std::string_view topic, uint16_t alias);
  void noteConnectOptions(const mqtt::Connect& c);
  void addConnackExtras(mqtt::Properties& p);
  // Sets the Reason String of a refusal when the client wants problem information (always
  // on CONNACK/DISCONNECT: `always`), unless it would break the client's Maximum Packet Size.
  void addReasonString(mqtt::Properties& p, uint8_t code, const char* why, bool always);

  // outbound.cc: deliveries to the client and the acks that free the window
  Outbound& outbound();
  Verdict handleDeliveryAck(const mqtt::Frame& f);
  int sendPublish(const mqgw_message* msg, uint8_t qos, bool retain,
                  std::span<const uint32_t> subscriptionIds);
  int enqueue(mqgw_message* msg, const mqgw_delivery& d);
  void pump();

  // owed.cc: what a persistent session owes its client across connections
  int sendTracked(mqgw_message* msg, uint8_t qos, bool retain,
                  std::span<const uint32_t> subscriptionIds);
  void releaseInflight(uint16_t packetId);
  // The client took msg for good, or it was dropped for good: a durable session's cursor may
  // move past it (host delivery_settled).
  void settleDelivery(const void* msg);
  void parkSession();  // hands in-flight and queued deliveries to the core, then detaches
  void releaseWill();
  void resendOwed(const mqgw_parked& owed);

 public:
  void onResume(const mqgw_parked* owed, uint32_t n, const uint16_t* qos2Ids, uint32_t nIds);

 private:
  bool outboundCongested() const;

  const FrontendConfig* cfg_;
  mqgw_conn* conn_;
  mqgw_session* session_ = nullptr;
  mqgw_message* will_ = nullptr;  // published if the connection ends without DISCONNECT
  std::unique_ptr<Outbound> out_;
  std::unique_ptr<V5Extras> v5_;  // topic aliases, enhanced authentication: on first use
  V5Extras& v5Extras();
  AuthState* auth() const;
  // QoS 2 publishes between PUBLISH and PUBREL; allocated on the first one.
  std::unique_ptr<std::vector<Qos2Inbound>> qos2In_;
  std::vector<Qos2Inbound>& qos2In() {
    if (!qos2In_) qos2In_ = std::make_unique<std::vector<Qos2Inbound>>();
    return *qos2In_;
  }
  size_t qos2InCount() const { return qos2In_ ? qos2In_->size() : 0; }
  uint32_t clientMaxPacket_ = 0;     // MQTT 5 Maximum Packet Size from the client; 0 = none
  uint32_t sendWindow_ = 0;          // min(max_inflight, client Receive Maximum, core limit)
  uint16_t qos1Storing_ = 0;         // QoS 1 publishes waiting for on_publish_done
  uint16_t qos2Storing_ = 0;         // QoS 2 publishes waiting for on_publish_done
  uint32_t willDelayS_ = 0;          // MQTT 5 Will Delay Interval
  uint16_t clientAliasMax_ = 0;      // MQTT 5 Topic Alias Maximum from the client; 0 = none
  Phase phase_ = Phase::AwaitConnect;
  mqtt::Version version_ = mqtt::Version::V311;
  uint8_t depth_ = 0;
  bool readPaused_ = false;
  bool willSuppressed_ = false;  // the client sent a normal DISCONNECT
  bool connectExpiryZero_ = true;  // CONNECT asked for no session expiry (MQTT 5 3.14.2.2.2)
  bool problemInfo_ = true;      // MQTT 5 Request Problem Information (reason strings wanted)
  bool responseInfo_ = false;    // MQTT 5 Request Response Information = 1
};

}  // namespace mqgw::mqttfe
