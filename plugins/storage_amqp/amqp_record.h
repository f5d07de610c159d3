// How an MQTT message maps onto an AMQP message, both ways. Body = the MQTT payload.
// Properties: delivery_mode 2 (persistent), message_id = the core's 16-byte ID as 32 lowercase
// hex characters, timestamp = created time in seconds, content_type = the MQTT 5 Content Type.
// Headers (a field table, in this order):
//   mqtt.topic (longstr, the core topic incl. any "$i/<InstanceId>/" prefix),
//   x-mqtt-publish-qos (signed 8-bit int, the name RabbitMQ's MQTT plugin uses),
//   mqtt.retain (boolean), mqtt.client_id (longstr), mqtt.created_ms (signed 64-bit),
//   and when set: mqtt.payload_format (signed 8-bit, 1), mqtt.expiry (signed 64-bit seconds),
//   mqtt.response_topic (longstr), mqtt.correlation_data (byte array 'x'),
//   then mqtt.user.<key> per MQTT 5 user property key (longstr, the key's first value).
// Where AMQP cannot carry that layout, extra headers keep the MQTT message whole:
//   mqtt.content_type (longstr) instead of the content_type property when the Content Type is
//   longer than the 255 bytes of an AMQP short string;
//   mqtt.user_properties (longstr, JSON [[key, value], ...]) with the exact list whenever there
//   is more than one user property or a key is too long for a header name: RabbitMQ hands a
//   stream's headers back sorted by name and drops array-valued ones, and MQTT 5 3.3.2.3.7 keeps
//   the order and the repeats. A reader takes mqtt.user_properties over the mqtt.user.* headers.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Delivery;

// An AMQP message ready for Connection::publish; owns every byte its properties point at.
class OutgoingMessage {
 public:
  // (defined in the .cc, where Field is complete)
  OutgoingMessage();
  ~OutgoingMessage();
  OutgoingMessage(const OutgoingMessage&) = delete;
  OutgoingMessage& operator=(const OutgoingMessage&) = delete;
  OutgoingMessage(OutgoingMessage&&) noexcept;
  OutgoingMessage& operator=(OutgoingMessage&&) noexcept;

  const amqp_basic_properties_t& properties();  // (re)points the table at the owned storage
  std::string_view body() const { return body_; }
  size_t bytes() const;  // roughly what it holds, for memory bounds

  // Building blocks (used by encodeMessage and by the state records of amqp_state). Header
  // keys are AMQP short strings: at most 255 bytes, or publish fails.
  // Headers go out in the order they were added.
  void setBody(std::string_view b) { body_.assign(b.data(), b.size()); }
  void setMessageId(std::string_view id);
  void setContentType(std::string_view type);
  void setTimestamp(uint64_t seconds);
  void addString(std::string_view key, std::string_view value);
  void addBytes(std::string_view key, std::string_view value);
  void addInt8(std::string_view key, int8_t value);
  void addInt64(std::string_view key, int64_t value);
  void addBool(std::string_view key, bool value);
  void addStringArray(std::string_view key, const std::vector<std::string_view>& values);

 private:
  // one owned field per header; properties() points entries_ and props_ at them (a move
  // keeps the Fields in place but may move the short strings, hence the re-pointing)
  struct Field;
  std::vector<std::unique_ptr<Field>> fields_;
  std::vector<amqp_table_entry_t> entries_;
  std::string body_, messageId_, contentType_;
  uint64_t timestamp_ = 0;
  bool hasTimestamp_ = false;
  amqp_basic_properties_t props_{};
};

// The AMQP message of an MQTT message (host->message_view gives its parts).
void encodeMessage(const mqgw_host_api* host, const mqgw_message* msg, OutgoingMessage* out);

// The MQTT message a delivery written by encodeMessage stands for, made with
// host->message_restore so its ID and created time survive (without a valid message_id: a new
// ID, host->message_create; without mqtt.created_ms: the timestamp property). nullptr when it
// is not one: no valid mqtt.topic (host->topic_valid_name) or x-mqtt-publish-qos (any integer
// kind, 0..2), a response topic that is no valid topic name, correlation data over 65535
// bytes, or a string (client ID, content type, user property) that is not valid MQTT UTF-8.
// It trusts mqtt.topic: the caller checks that the topic routes to the exchange it came by.
mqgw_message* decodeMessage(const mqgw_host_api* host, const Delivery& d);

// A message a plain AMQP client published into an instance's exchange (no mqtt.topic): an MQTT
// message on `mqttTopic` (amqp_names topicOf), QoS from x-mqtt-publish-qos when present and
// valid, else 0; payload = body; user properties from mqtt.user.* / mqtt.user_properties if
// any, the content_type property as Content Type; any of these that is not valid MQTT UTF-8
// is left out. New ID, created now. nullptr when mqttTopic is no valid topic name.
mqgw_message* foreignMessage(const mqgw_host_api* host, const Delivery& d,
                             std::string_view mqttTopic);

}  // namespace mqgw::amqp
