// Test doubles for the amqp backend's unit tests and fuzzers, both without a broker:
//  - FakeHost: the storage backends' fake core (plugins/cluster_state/testing/
//    fake_storage_host.h), shared with the kafka backend's tests;
//  - fillDelivery: a Delivery filled the way rabbitmq-c's amqp_consume_message fills one (the
//    headers decoded from their wire form by amqp_decode_table, wire bytes and all in the
//    envelope's pool; body, exchange and routing key malloc'd), so ~Delivery frees it as it
//    frees a real one.
#pragma once

#include <amqp.h>

#include <cstring>
#include <string>
#include <string_view>

#include "amqp_connection.h"
#include "testing/fake_storage_host.h"

namespace mqgw::amqp::testing {

// The storage backends' fake core (plugins/cluster_state/testing).
using cluster::testing::FakeHost;

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
