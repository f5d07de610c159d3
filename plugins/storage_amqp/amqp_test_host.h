// Test doubles for the amqp backend's unit tests and fuzzers, both without a broker:
//  - FakeHost: an mqgw_host_api whose message functions keep deep copies (one global
//    instance: the host API has no context pointer);
//  - fillDelivery: a Delivery filled the way rabbitmq-c's amqp_consume_message fills one (the
//    headers decoded from their wire form by amqp_decode_table, wire bytes and all in the
//    envelope's pool; body, exchange and routing key malloc'd), so ~Delivery frees it as it
//    frees a real one.
#pragma once

#include <amqp.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amqp_connection.h"
#include "mqgw/plugin_abi.h"

struct mqgw_message {
  std::atomic<int> refs{1};
  bool restored = false;  // made by message_restore (kept ID and time), not message_create
  bool hasPosition = false;
  mqgw_position position{};
  std::string topic, payload, contentType, responseTopic, correlationData, publisherId;
  std::vector<std::pair<std::string, std::string>> userProps;
  std::vector<mqgw_user_prop> propViews;
  mqgw_message_view view{};
};

namespace mqgw::amqp::testing {

class FakeHost {
 public:
  static FakeHost& instance() {
    static FakeHost host;
    return host;
  }
  const mqgw_host_api* api() const { return &api_; }

  static mqgw_message* copy(const mqgw_message_view* v, bool restored) {
    auto* m = new mqgw_message;
    m->restored = restored;
    auto text = [](mqgw_str s) { return s.len ? std::string(s.ptr, s.len) : std::string(); };
    m->topic = text(v->topic);
    m->payload = text(v->payload);
    m->contentType = text(v->content_type);
    m->responseTopic = text(v->response_topic);
    m->correlationData = text(v->correlation_data);
    m->publisherId = text(v->publisher_id);
    for (uint32_t i = 0; i < v->user_prop_count; ++i)
      m->userProps.emplace_back(text(v->user_props[i].key), text(v->user_props[i].value));
    m->view = *v;
    auto str = [](const std::string& s) { return mqgw_str{s.data(), s.size()}; };
    m->view.topic = str(m->topic);
    m->view.payload = str(m->payload);
    m->view.content_type = str(m->contentType);
    m->view.response_topic = str(m->responseTopic);
    m->view.correlation_data = str(m->correlationData);
    m->view.publisher_id = str(m->publisherId);
    for (auto& [k, val] : m->userProps) m->propViews.push_back({str(k), str(val)});
    m->view.user_props = m->propViews.data();
    m->view.user_prop_count = static_cast<uint32_t>(m->propViews.size());
    return m;
  }

 private:
  FakeHost() {
    api_.struct_size = sizeof api_;
    api_.abi_version = MQGW_ABI_VERSION;
    api_.log = &FakeHost::log;
    api_.message_create = [](const mqgw_message_view* v) { return copy(v, false); };
    api_.message_restore = [](const mqgw_message_view* v) { return copy(v, true); };
    api_.message_ref = [](mqgw_message* m) { ++m->refs; };
    api_.message_unref = [](mqgw_message* m) {
      if (--m->refs == 0) delete m;
    };
    api_.message_view = [](const mqgw_message* m) { return &m->view; };
    api_.message_set_position = [](mqgw_message* m, mqgw_position p) {
      m->hasPosition = true;
      m->position = p;
    };
    // the core's rule for topic names: no wildcards, no U+0000 (UTF-8 is checked by the caller)
    api_.topic_valid_name = [](mqgw_str t) {
      std::string_view s(t.ptr, t.len);
      return !s.empty() && s.find_first_of(std::string_view("+#\0", 3)) == s.npos ? 1 : 0;
    };
  }

  static void log(int level, const char*, const char* fmt, ...) {
    if (level < MQGW_LOG_WARN) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[fake host] %s\n", line);
  }

  mqgw_host_api api_{};
};

// The short-string properties a delivery carries besides its headers.
struct ShortProperties {
  bool hasMessageId = false, hasContentType = false, hasTimestamp = false;
  std::string messageId, contentType;
  uint64_t timestamp = 0;
};

inline amqp_bytes_t poolCopy(amqp_pool_t* pool, std::string_view text) {
  amqp_bytes_t out{0, nullptr};
  if (text.empty()) return out;
  amqp_pool_alloc_bytes(pool, text.size(), &out);
  if (out.bytes) std::memcpy(out.bytes, text.data(), text.size());
  return out;
}

inline amqp_bytes_t mallocCopy(std::string_view text) {
  amqp_bytes_t in{text.size(), const_cast<char*>(text.data())};
  return amqp_bytes_malloc_dup(in);
}

// Fills d from a headers table in wire form (a 32-bit length, then the entries; empty: no
// headers). False when amqp_decode_table refuses the bytes (d is still filled and freed).
inline bool fillDelivery(Delivery* d, std::string_view encodedTable, const ShortProperties& p,
                         std::string_view body, std::string_view exchange = "mqgw.default",
                         std::string_view routingKey = "a.b") {
  d->reset();
  amqp_envelope_t* env = d->raw();
  init_amqp_pool(&env->message.pool, 4096);
  env->channel = 1;
  env->delivery_tag = 1;
  env->exchange = mallocCopy(exchange);
  env->routing_key = mallocCopy(routingKey);
  env->message.body = mallocCopy(body);
  d->markFilled();
  amqp_basic_properties_t& props = env->message.properties;
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;
  if (p.hasMessageId) props.message_id = poolCopy(&env->message.pool, p.messageId);
  if (p.hasContentType) props.content_type = poolCopy(&env->message.pool, p.contentType);
  props.timestamp = p.timestamp;
  props._flags |= (p.hasMessageId ? AMQP_BASIC_MESSAGE_ID_FLAG : 0) |
                  (p.hasContentType ? AMQP_BASIC_CONTENT_TYPE_FLAG : 0) |
                  (p.hasTimestamp ? AMQP_BASIC_TIMESTAMP_FLAG : 0);
  if (encodedTable.empty()) return true;
  // decoded strings are slices of the wire bytes: keep them in the pool, as a real envelope
  // keeps its (cloned) properties
  amqp_bytes_t wire = poolCopy(&env->message.pool, encodedTable);
  if (!wire.bytes) return false;
  size_t offset = 0;
  if (amqp_decode_table(wire, &env->message.pool, &props.headers, &offset) != AMQP_STATUS_OK)
    return false;
  props._flags |= AMQP_BASIC_HEADERS_FLAG;
  return true;
}

// The wire form of a headers table (what basic.publish would send); empty when it has none.
inline std::string encodeTable(const amqp_table_t& headers) {
  if (headers.num_entries == 0) return {};
  amqp_table_t table = headers;  // amqp_encode_table takes a non-const pointer
  for (size_t cap = 4096;; cap *= 2) {
    std::string buf(cap, '\0');
    size_t offset = 0;
    int rc = amqp_encode_table({cap, buf.data()}, &table, &offset);
    if (rc == AMQP_STATUS_OK) return buf.substr(0, offset);
    if (rc != AMQP_STATUS_TABLE_TOO_BIG || cap > (64u << 20)) return {};
  }
}

// Fills d with what publishing these properties and body would deliver.
inline bool fillDelivery(Delivery* d, const amqp_basic_properties_t& props, std::string_view body,
                         std::string_view exchange = "mqgw.default",
                         std::string_view routingKey = "a.b") {
  ShortProperties p;
  auto text = [](amqp_bytes_t b) {
    return b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
  };
  p.hasMessageId = props._flags & AMQP_BASIC_MESSAGE_ID_FLAG;
  p.hasContentType = props._flags & AMQP_BASIC_CONTENT_TYPE_FLAG;
  p.hasTimestamp = props._flags & AMQP_BASIC_TIMESTAMP_FLAG;
  if (p.hasMessageId) p.messageId = text(props.message_id);
  if (p.hasContentType) p.contentType = text(props.content_type);
  p.timestamp = props.timestamp;
  std::string table;
  if (props._flags & AMQP_BASIC_HEADERS_FLAG) {
    table = encodeTable(props.headers);
    if (table.empty() && props.headers.num_entries > 0) return false;
  }
  return fillDelivery(d, table, p, body, exchange, routingKey);
}

}  // namespace mqgw::amqp::testing
