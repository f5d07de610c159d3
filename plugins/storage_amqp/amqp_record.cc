#include "amqp_record.h"

#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "amqp_connection.h"
#include "message_fields.h"

namespace mqgw::amqp {

// One header: a key and a value of one kind, owning its bytes.
struct OutgoingMessage::Field {
  std::string key;
  uint8_t kind = AMQP_FIELD_KIND_VOID;
  std::string text;                      // UTF8 (longstr), BYTES
  int64_t number = 0;                    // I8, I64, BOOLEAN
  std::vector<std::string> items;        // ARRAY of longstr
  std::vector<amqp_field_value_t> itemValues;  // points into items, set by properties()
};

namespace {

using cluster::hexOf;
using cluster::kMaxMqttString;
using cluster::mqttUtf8;
using cluster::parseHex;

constexpr std::string_view kTopic = "mqtt.topic", kQos = "x-mqtt-publish-qos",
                           kRetain = "mqtt.retain", kClientId = "mqtt.client_id",
                           kCreated = "mqtt.created_ms", kPayloadFormat = "mqtt.payload_format",
                           kExpiry = "mqtt.expiry", kContentType = "mqtt.content_type",
                           kResponseTopic = "mqtt.response_topic",
                           kCorrelation = "mqtt.correlation_data", kUserPrefix = "mqtt.user.",
                           kUserList = "mqtt.user_properties";
constexpr size_t kMaxShortString = 255;  // AMQP short strings: names, content_type

amqp_bytes_t bytesOf(const std::string& s) {
  return {s.size(), const_cast<char*>(s.data())};  // rabbitmq-c only reads what we publish
}

std::string_view sv(amqp_bytes_t b) {
  return b.len ? std::string_view(static_cast<const char*>(b.bytes), b.len) : std::string_view();
}
std::string_view sv(mqgw_str s) { return s.len ? std::string_view(s.ptr, s.len) : ""; }
mqgw_str str(std::string_view v) { return v.empty() ? mqgw_str{"", 0} : mqgw_str{v.data(), v.size()}; }

bool validTopic(const mqgw_host_api* host, std::string_view topic) {
  return !topic.empty() && mqttUtf8(topic) &&
         (!host->topic_valid_name || host->topic_valid_name(str(topic)) != 0);
}

// User properties as headers: mqtt.user.<key> with the key's first value, readable by any AMQP
// client, plus the exact list as JSON whenever there is more than one (RabbitMQ hands a stream's
// headers back sorted by name, so only the list keeps their order) or a key cannot be a header
// name. No AMQP arrays: a stream drops array-valued headers (amqp_record.h).
void addUserProperties(const mqgw_message_view& v, OutgoingMessage* out) {
  bool exact = v.user_prop_count > 1;
  std::unordered_set<std::string_view> named;
  std::string name;
  for (uint32_t i = 0; i < v.user_prop_count; ++i) {
    std::string_view key = sv(v.user_props[i].key);
    if (kUserPrefix.size() + key.size() > kMaxShortString) {
      exact = true;
      continue;
    }
    if (!named.insert(key).second) continue;
    name.assign(kUserPrefix).append(key);
    out->addString(name, sv(v.user_props[i].value));
  }
  if (!exact) return;
  nlohmann::json list = nlohmann::json::array();
  for (uint32_t i = 0; i < v.user_prop_count; ++i)
    list.push_back({std::string(sv(v.user_props[i].key)), std::string(sv(v.user_props[i].value))});
  // The core hands valid UTF-8 only; `replace` keeps dump() from throwing if that ever broke.
  out->addString(kUserList, list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// ---- reading ----

const amqp_table_t* headersOf(const Delivery& d) {
  const amqp_basic_properties_t& p = d.envelope().message.properties;
  return (p._flags & AMQP_BASIC_HEADERS_FLAG) ? &p.headers : nullptr;
}

bool stringValue(const amqp_field_value_t& v, std::string_view* out) {
  if (v.kind != AMQP_FIELD_KIND_UTF8 && v.kind != AMQP_FIELD_KIND_BYTES) return false;
  *out = sv(v.value.bytes);
  return true;
}

// What to do with a string that is not valid MQTT UTF-8: refuse the message (ours, written by
// encodeMessage) or leave the property out (a plain AMQP client's).
enum class Invalid { kRefuse, kSkip };

// One user property; false when the message must be refused.
bool takeProperty(const amqp_field_value_t* key, std::string_view keyText,
                  const amqp_field_value_t& value, Invalid invalid,
                  std::vector<mqgw_user_prop>* out) {
  std::string_view k = keyText, v;
  bool ok = (!key || stringValue(*key, &k)) && stringValue(value, &v) && mqttUtf8(k) &&
            mqttUtf8(v);
  if (ok) out->push_back({str(k), str(v)});
  return ok || invalid == Invalid::kSkip;
}

// The JSON list of mqtt.user_properties: [[key, value], ...]. The strings are copied into
// `keep` (the message views point at them until the message is made).
bool readUserList(const amqp_field_value_t& list, Invalid invalid, std::vector<std::string>* keep,
                  std::vector<mqgw_user_prop>* out) {
  std::string_view text;
  if (!stringValue(list, &text)) return invalid == Invalid::kSkip;
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return invalid == Invalid::kSkip;
  keep->reserve(2 * parsed.size());  // no reallocation: views point into it
  for (const nlohmann::json& pair : parsed) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      if (invalid == Invalid::kRefuse) return false;
      continue;
    }
    keep->push_back(pair[0].get<std::string>());
    keep->push_back(pair[1].get<std::string>());
    std::string_view k = (*keep)[keep->size() - 2], v = keep->back();
    if (mqttUtf8(k) && mqttUtf8(v)) out->push_back({str(k), str(v)});
    else if (invalid == Invalid::kRefuse) return false;
  }
  return true;
}

// mqtt.user_properties when present, else every mqtt.user.<key> (one value or an array).
bool readUserProperties(const Delivery& d, Invalid invalid, std::vector<std::string>* keep,
                        std::vector<mqgw_user_prop>* out) {
  const amqp_table_t* headers = headersOf(d);
  if (!headers) return true;
  if (const amqp_field_value_t* list = d.header(kUserList))
    return readUserList(*list, invalid, keep, out);
  for (int i = 0; i < headers->num_entries; ++i) {
    const amqp_table_entry_t& e = headers->entries[i];
    std::string_view name = sv(e.key);
    if (!name.starts_with(kUserPrefix)) continue;
    std::string_view key = name.substr(kUserPrefix.size());
    if (e.value.kind != AMQP_FIELD_KIND_ARRAY) {
      if (!takeProperty(nullptr, key, e.value, invalid, out)) return false;
      continue;
    }
    const amqp_array_t& a = e.value.value.array;
    for (int k = 0; k < a.num_entries; ++k)
      if (!takeProperty(nullptr, key, a.entries[k], invalid, out)) return false;
  }
  return true;
}

bool flagOf(const Delivery& d, std::string_view name) {
  const amqp_field_value_t* v = d.header(name);
  if (v && v->kind == AMQP_FIELD_KIND_BOOLEAN) return v->value.boolean != 0;
  int64_t n = 0;
  return d.headerInt(name, &n) && n == 1;
}

// The Content Type: the property, or the header used when it is longer than a short string.
bool contentTypeOf(const Delivery& d, std::string_view* out) {
  const amqp_basic_properties_t& p = d.envelope().message.properties;
  if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) {
    *out = sv(p.content_type);
    return true;
  }
  return d.headerString(kContentType, out);
}

uint64_t createdMsOf(const Delivery& d) {
  int64_t ms = 0;
  if (d.headerInt(kCreated, &ms) && ms >= 0) return static_cast<uint64_t>(ms);
  const amqp_basic_properties_t& p = d.envelope().message.properties;
  if ((p._flags & AMQP_BASIC_TIMESTAMP_FLAG) && p.timestamp <= UINT64_MAX / 1000)
    return p.timestamp * 1000;
  return 0;
}

bool messageIdOf(const Delivery& d, uint8_t* id) {
  const amqp_basic_properties_t& p = d.envelope().message.properties;
  return (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) && parseHex(sv(p.message_id), id, 16);
}

// The optional MQTT 5 strings of one of our messages; false when one is not acceptable.
bool readOptionalStrings(const mqgw_host_api* host, const Delivery& d, mqgw_message_view* v) {
  std::string_view text;
  if (d.headerString(kClientId, &text)) {
    if (!mqttUtf8(text)) return false;
    v->publisher_id = str(text);
  }
  if (contentTypeOf(d, &text)) {
    if (!mqttUtf8(text)) return false;
    v->content_type = str(text);
  }
  if (d.headerString(kResponseTopic, &text) && !text.empty()) {
    if (!validTopic(host, text)) return false;
    v->response_topic = str(text);
  }
  if (d.headerString(kCorrelation, &text)) {
    if (text.size() > kMaxMqttString) return false;
    v->correlation_data = str(text);
  }
  return true;
}

mqgw_message* make(const mqgw_host_api* host, mqgw_message_view* v, const Delivery& d,
                   const std::vector<mqgw_user_prop>& props, bool restore) {
  v->struct_size = sizeof *v;
  v->payload = str(d.body());
  v->user_props = props.empty() ? nullptr : props.data();
  v->user_prop_count = static_cast<uint32_t>(props.size());
  return restore ? host->message_restore(v) : host->message_create(v);
}

}  // namespace

// ---- OutgoingMessage ----

OutgoingMessage::OutgoingMessage() = default;
OutgoingMessage::~OutgoingMessage() = default;
OutgoingMessage::OutgoingMessage(OutgoingMessage&&) noexcept = default;
OutgoingMessage& OutgoingMessage::operator=(OutgoingMessage&&) noexcept = default;

const amqp_basic_properties_t& OutgoingMessage::properties() {
  entries_.clear();
  entries_.reserve(fields_.size());
  for (const auto& f : fields_) {
    amqp_table_entry_t e{};
    e.key = bytesOf(f->key);
    e.value.kind = f->kind;
    if (f->kind == AMQP_FIELD_KIND_UTF8 || f->kind == AMQP_FIELD_KIND_BYTES) {
      e.value.value.bytes = bytesOf(f->text);
    } else if (f->kind == AMQP_FIELD_KIND_I8) {
      e.value.value.i8 = static_cast<int8_t>(f->number);
    } else if (f->kind == AMQP_FIELD_KIND_I64) {
      e.value.value.i64 = f->number;
    } else if (f->kind == AMQP_FIELD_KIND_BOOLEAN) {
      e.value.value.boolean = f->number != 0;
    } else if (f->kind == AMQP_FIELD_KIND_ARRAY) {
      f->itemValues.assign(f->items.size(), amqp_field_value_t{});
      for (size_t i = 0; i < f->items.size(); ++i) {
        f->itemValues[i].kind = AMQP_FIELD_KIND_UTF8;
        f->itemValues[i].value.bytes = bytesOf(f->items[i]);
      }
      e.value.value.array = {static_cast<int>(f->itemValues.size()), f->itemValues.data()};
    }
    entries_.push_back(e);
  }
  props_ = amqp_basic_properties_t{};
  props_._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props_.delivery_mode = 2;  // persistent
  if (!entries_.empty()) {
    props_._flags |= AMQP_BASIC_HEADERS_FLAG;
    props_.headers = {static_cast<int>(entries_.size()), entries_.data()};
  }
  if (!messageId_.empty()) {
    props_._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    props_.message_id = bytesOf(messageId_);
  }
  if (!contentType_.empty()) {
    props_._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
    props_.content_type = bytesOf(contentType_);
  }
  if (hasTimestamp_) {
    props_._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    props_.timestamp = timestamp_;
  }
  return props_;
}

size_t OutgoingMessage::bytes() const {
  size_t n = sizeof *this + body_.size() + messageId_.size() + contentType_.size();
  for (const auto& f : fields_) {
    n += sizeof(Field) + f->key.size() + f->text.size();
    for (const std::string& item : f->items) n += sizeof item + item.size();
  }
  return n;
}

void OutgoingMessage::setMessageId(std::string_view id) { messageId_.assign(id); }
void OutgoingMessage::setContentType(std::string_view type) { contentType_.assign(type); }
void OutgoingMessage::setTimestamp(uint64_t seconds) {
  timestamp_ = seconds;
  hasTimestamp_ = true;
}

void OutgoingMessage::addString(std::string_view key, std::string_view value) {
  auto f = std::make_unique<Field>();
  f->key.assign(key);
  f->kind = AMQP_FIELD_KIND_UTF8;
  f->text.assign(value);
  fields_.push_back(std::move(f));
}

void OutgoingMessage::addBytes(std::string_view key, std::string_view value) {
  addString(key, value);
  fields_.back()->kind = AMQP_FIELD_KIND_BYTES;
}

void OutgoingMessage::addInt8(std::string_view key, int8_t value) {
  auto f = std::make_unique<Field>();
  f->key.assign(key);
  f->kind = AMQP_FIELD_KIND_I8;
  f->number = value;
  fields_.push_back(std::move(f));
}

void OutgoingMessage::addInt64(std::string_view key, int64_t value) {
  addInt8(key, 0);
  fields_.back()->kind = AMQP_FIELD_KIND_I64;
  fields_.back()->number = value;
}

void OutgoingMessage::addBool(std::string_view key, bool value) {
  addInt8(key, value ? 1 : 0);
  fields_.back()->kind = AMQP_FIELD_KIND_BOOLEAN;
}

void OutgoingMessage::addStringArray(std::string_view key,
                                     const std::vector<std::string_view>& values) {
  auto f = std::make_unique<Field>();
  f->key.assign(key);
  f->kind = AMQP_FIELD_KIND_ARRAY;
  f->items.assign(values.begin(), values.end());
  fields_.push_back(std::move(f));
}

// ---- MQTT ↔ AMQP ----

void encodeMessage(const mqgw_host_api* host, const mqgw_message* msg, OutgoingMessage* out) {
  const mqgw_message_view& v = *host->message_view(msg);
  *out = OutgoingMessage();
  out->setBody(sv(v.payload));
  out->setMessageId(hexOf(v.id, sizeof v.id));
  out->setTimestamp(v.created_ms / 1000);
  out->addString(kTopic, sv(v.topic));
  out->addInt8(kQos, static_cast<int8_t>(v.qos));
  out->addBool(kRetain, v.retain != 0);
  out->addString(kClientId, sv(v.publisher_id));
  out->addInt64(kCreated, static_cast<int64_t>(v.created_ms));
  if (v.payload_format == 1) out->addInt8(kPayloadFormat, 1);
  if (v.has_expiry) out->addInt64(kExpiry, v.expiry_interval_s);
  if (v.content_type.len > kMaxShortString) out->addString(kContentType, sv(v.content_type));
  else if (v.content_type.len > 0) out->setContentType(sv(v.content_type));
  if (v.response_topic.len > 0) out->addString(kResponseTopic, sv(v.response_topic));
  if (v.correlation_data.len > 0) out->addBytes(kCorrelation, sv(v.correlation_data));
  addUserProperties(v, out);
}

mqgw_message* decodeMessage(const mqgw_host_api* host, const Delivery& d) {
  mqgw_message_view v{};
  std::string_view topic;
  int64_t n = 0;
  if (!d.headerString(kTopic, &topic) || !validTopic(host, topic)) return nullptr;
  v.topic = str(topic);
  if (!d.headerInt(kQos, &n) || n < 0 || n > 2) return nullptr;
  v.qos = static_cast<uint8_t>(n);
  v.retain = flagOf(d, kRetain);
  v.payload_format = d.headerInt(kPayloadFormat, &n) && n == 1;
  if (d.headerInt(kExpiry, &n) && n >= 0 && n <= UINT32_MAX) {
    v.has_expiry = 1;
    v.expiry_interval_s = static_cast<uint32_t>(n);
  }
  if (!readOptionalStrings(host, d, &v)) return nullptr;
  std::vector<std::string> keep;
  std::vector<mqgw_user_prop> props;
  if (!readUserProperties(d, Invalid::kRefuse, &keep, &props)) return nullptr;
  bool hasId = messageIdOf(d, v.id);
  v.created_ms = createdMsOf(d);
  return make(host, &v, d, props, hasId);
}

mqgw_message* foreignMessage(const mqgw_host_api* host, const Delivery& d,
                             std::string_view mqttTopic) {
  if (!validTopic(host, mqttTopic)) return nullptr;
  mqgw_message_view v{};
  v.topic = str(mqttTopic);
  int64_t qos = 0;
  if (d.headerInt(kQos, &qos) && qos >= 0 && qos <= 2) v.qos = static_cast<uint8_t>(qos);
  std::string_view type;
  if (contentTypeOf(d, &type) && mqttUtf8(type)) v.content_type = str(type);
  std::vector<std::string> keep;
  std::vector<mqgw_user_prop> props;
  readUserProperties(d, Invalid::kSkip, &keep, &props);
  return make(host, &v, d, props, false);
}

}  // namespace mqgw::amqp
