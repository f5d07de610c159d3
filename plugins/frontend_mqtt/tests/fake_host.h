// A fake core for the MQTT frontend's unit tests: an mqgw_host_api whose functions record what
// the plugin asked for (bytes written, sessions, subscriptions, publishes, metrics), plus a
// harness that loads the plugin through mqgw_plugin_entry and drives one connection through
// the ops table, exactly as the core would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "mqtt/mqtt_codec.h"

extern "C" int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                 const mqgw_plugin_descriptor** out);

// The opaque host types, defined here because the real core is not linked into the test.
struct mqgw_message {
  int refs = 1;
  std::string topic, payload, contentType, responseTopic, correlationData, publisherId;
  std::vector<std::pair<std::string, std::string>> userProps;
  std::vector<mqgw_user_prop> propViews;
  mqgw_message_view view{};
};

struct mqgw_session {
  std::string clientId;
  mqgw_session_params params{};
  bool closed = false;
  std::vector<mqgw_parked> parked;     // what the plugin parked at close (refs not taken)
  std::vector<uint16_t> qos2Parked;
  int resumeCalls = 0;
  mqgw_message* will = nullptr;        // a delayed will handed over
  uint32_t willDelayS = 0;
};

struct mqgw_conn {
  std::string out;  // bytes the plugin wrote
  int closeCalls = 0;
  int closeReason = -1;
  uint64_t idleTimeoutMs = 0;
  bool readPaused = false;
  size_t pendingOut = 0;
  bool closeSynchronously = false;  // like the core with nothing left to flush
  void* state = nullptr;            // the plugin's state until on_close ran
};

namespace mqgw::mqttfe::testing {

struct PublishCall {
  mqgw_message* msg;  // the fake holds a ref, as the core would
  uint64_t cookie;
};

struct FakeHost {
  mqgw_host_api api{};
  mqgw_limits limits{};
  const mqgw_frontend_ops* ops = nullptr;

  // behaviour the tests choose
  int sessionOpenResult = MQGW_OK;
  int subscribeResult = 100;  // >2: grant what was asked
  int unsubscribeResult = MQGW_OK;
  bool completePublishInline = false;  // on_publish_done before host->publish returns
  int inlinePublishStatus = MQGW_OK;
  mqgw_conn* inlineConn = nullptr;

  // what the plugin did
  std::vector<PublishCall> publishes;
  std::vector<std::unique_ptr<mqgw_session>> sessions;
  std::vector<std::pair<std::string, mqgw_sub_options>> subscribes;
  std::vector<std::string> unsubscribes;
  std::vector<const mqgw_message*> settled;  // delivery_settled calls, in order
  std::vector<std::string> metricNames;
  std::map<std::string, int64_t> metricValues;
  int liveMessages = 0;

  int64_t metric(const std::string& name) const {
    auto it = metricValues.find(name);
    return it == metricValues.end() ? 0 : it->second;
  }
  mqgw_session* lastSession() const { return sessions.empty() ? nullptr : sessions.back().get(); }
  void clearPublishes();  // drops the fake's refs
};

// The one fake the C functions forward to; reset by every Harness.
FakeHost& fake();

// Decoded view of the bytes a connection wrote: one entry per packet.
struct OutPacket {
  mqtt::PacketType type;
  std::vector<uint8_t> bytes;  // the whole packet
  mqtt::Frame frame() const;   // points into bytes
};

// The plugin's config section as key/value text: Harness h(Config{{"max_inflight", "2"}}).
using Config = std::vector<std::pair<std::string, std::string>>;

// Loads the plugin with a config and owns one connection.
class Harness {
 public:
  explicit Harness(Config config = {});
  ~Harness();

  long feed(const std::vector<uint8_t>& bytes);
  long feed(const uint8_t* data, size_t len);
  // Sends CONNECT (keepalive 60, clean) and checks a CONNACK came back; clears the output.
  void connect(mqtt::Version v, std::string_view clientId = "dev1");
  std::vector<OutPacket> takePackets();  // parses and clears conn.out
  std::string takeBytes();
  void completePublish(size_t index, int status);
  void closeFromCore(int reason);  // the core closing the connection: on_close
  bool open() const { return conn.state != nullptr; }

  mqgw_conn conn;
  void* instance = nullptr;
  const mqgw_frontend_ops* ops = nullptr;
};

// Client-side packet builders (using the codec's encoders).
std::vector<uint8_t> connectPacket(mqtt::Version v, std::string_view clientId, bool clean = true,
                                   uint16_t keepAlive = 60);
std::vector<uint8_t> publishPacket(mqtt::Version v, std::string_view topic,
                                   std::string_view payload, uint8_t qos, uint16_t id,
                                   bool dup = false);
std::vector<uint8_t> ackPacket(mqtt::Version v, mqtt::PacketType type, uint16_t id,
                               uint8_t reasonCode = 0);
std::vector<uint8_t> subscribePacket(mqtt::Version v, uint16_t id,
                                     const std::vector<std::pair<std::string, uint8_t>>& topics);
std::vector<uint8_t> bytesOf(std::initializer_list<int> values);
std::string hex(const std::string& bytes);
std::string hex(const std::vector<uint8_t>& bytes);

// A message as the core would hand it to on_deliver (refcount 1, owned by the caller).
mqgw_message* makeMessage(std::string_view topic, std::string_view payload, uint8_t qos);
// Hands `m` to the connection as the core's router would, at `qos` with these subscription
// identifiers; returns on_deliver's result.
int deliver(Harness& h, mqgw_message* m, uint8_t qos, std::vector<uint32_t> ids = {});

}  // namespace mqgw::mqttfe::testing
