// Delivery (amqp_connection.h): one consumed message and the reading of its headers table.
// Apart from Connection so that the record code, its tests and fuzzers read deliveries without
// the connection code.
#include <charconv>
#include <cstdint>

#include "amqp_connection.h"

namespace mqgw::amqp {
namespace {

std::string_view viewOf(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.bytes ? b.len : 0};
}

}  // namespace

Delivery::~Delivery() { reset(); }

void Delivery::reset() {
  if (!filled_) return;
  amqp_destroy_envelope(&envelope_);
  envelope_ = {};
  filled_ = false;
}

std::string_view Delivery::exchange() const { return viewOf(envelope_.exchange); }
std::string_view Delivery::routingKey() const { return viewOf(envelope_.routing_key); }
std::string_view Delivery::body() const { return viewOf(envelope_.message.body); }

const amqp_field_value_t* Delivery::header(std::string_view name) const {
  const amqp_basic_properties_t& p = envelope_.message.properties;
  if (!filled_ || !(p._flags & AMQP_BASIC_HEADERS_FLAG)) return nullptr;
  for (int i = 0; i < p.headers.num_entries; ++i)
    if (viewOf(p.headers.entries[i].key) == name) return &p.headers.entries[i].value;
  return nullptr;
}

bool Delivery::headerInt(std::string_view name, int64_t* out) const {
  const amqp_field_value_t* v = header(name);
  if (!v) return false;
  switch (v->kind) {
    case AMQP_FIELD_KIND_I8: *out = v->value.i8; return true;
    case AMQP_FIELD_KIND_U8: *out = v->value.u8; return true;
    case AMQP_FIELD_KIND_I16: *out = v->value.i16; return true;
    case AMQP_FIELD_KIND_U16: *out = v->value.u16; return true;
    case AMQP_FIELD_KIND_I32: *out = v->value.i32; return true;
    case AMQP_FIELD_KIND_U32: *out = v->value.u32; return true;
    case AMQP_FIELD_KIND_I64: *out = v->value.i64; return true;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      if (v->value.u64 > static_cast<uint64_t>(INT64_MAX)) return false;
      *out = static_cast<int64_t>(v->value.u64);
      return true;
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES: {
      std::string_view text = viewOf(v->value.bytes);
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, *out);
      return !text.empty() && ec == std::errc() && ptr == end;
    }
    default: return false;
  }
}

bool Delivery::headerString(std::string_view name, std::string_view* out) const {
  const amqp_field_value_t* v = header(name);
  if (!v || (v->kind != AMQP_FIELD_KIND_UTF8 && v->kind != AMQP_FIELD_KIND_BYTES)) return false;
  *out = viewOf(v->value.bytes);
  return true;
}

}  // namespace mqgw::amqp
