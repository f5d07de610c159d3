// The `limits:` section.
#include "config/loader_parts.h"

namespace mqgw::config::detail {
namespace {

constexpr uint64_t kKiB = 1024, kGiB = 1024 * 1024 * 1024;
constexpr uint64_t kSecond = 1000, kMinute = 60 * kSecond;

// Keepalives travel in seconds (MQTT's 16-bit Keep Alive); a bare integer means seconds.
bool readKeepalive(Reader& r, const YAML::Node& n, const std::string& path, uint32_t* out) {
  uint64_t ms = 0;
  if (!r.readDuration(n, path, kSecond, 0, 65535 * kSecond, &ms)) return false;
  if (ms % kSecond != 0) return r.fail(n, path, "must be a whole number of seconds");
  *out = static_cast<uint32_t>(ms / kSecond);
  return true;
}

}  // namespace

bool readLimits(Reader& r, const YAML::Node& n, const std::string& path, Limits* out) {
  YAML::Node keepaliveMinNode;
  bool ok = r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                        const YAML::Node& v) {
    std::string p = child(path, k);
    uint64_t x = 0;
    if (k == "max_packet_size") {
      if (!r.readSize(v, p, 16, 268435455, &x)) return false;
      out->maxPacketSize = static_cast<uint32_t>(x);
    } else if (k == "max_connections") {
      if (!r.readUint(v, p, 1, 10000000, &x)) return false;
      out->maxConnections = static_cast<uint32_t>(x);
    } else if (k == "keepalive_min") {
      keepaliveMinNode = v;
      return readKeepalive(r, v, p, &out->keepaliveMinS);
    } else if (k == "keepalive_max") {
      return readKeepalive(r, v, p, &out->keepaliveMaxS);
    } else if (k == "max_outbound_bytes") {
      return r.readSize(v, p, kKiB, kGiB, &out->maxOutboundBytes);
    } else if (k == "max_inflight") {
      if (!r.readUint(v, p, 1, 65535, &x)) return false;
      out->maxInflight = static_cast<uint32_t>(x);
    } else if (k == "shutdown_timeout") {
      return r.readDuration(v, p, kSecond, 0, 10 * kMinute, &out->shutdownTimeoutMs);
    } else if (k == "session_queue_messages") {
      if (!r.readUint(v, p, 1, 10000000, &x)) return false;
      out->sessionQueueMessages = static_cast<uint32_t>(x);
    } else if (k == "session_queue_bytes") {
      return r.readSize(v, p, kKiB, kGiB, &out->sessionQueueBytes);
    } else {
      return r.unknownKey(key, p,
                          "max_packet_size, max_connections, keepalive_min, keepalive_max, "
                          "max_outbound_bytes, max_inflight, shutdown_timeout, "
                          "session_queue_messages, session_queue_bytes");
    }
    return true;
  });
  if (!ok) return false;
  if (out->keepaliveMinS > out->keepaliveMaxS)
    return r.fail(keepaliveMinNode, child(path, "keepalive_min"),
                  std::to_string(out->keepaliveMinS) + "s is above keepalive_max (" +
                      std::to_string(out->keepaliveMaxS) + "s)");
  return true;
}

}  // namespace mqgw::config::detail
