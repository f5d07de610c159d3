#include "amqp_state_record.h"

#include <array>
#include <utility>

#include "amqp_connection.h"

namespace mqgw::amqp {
namespace {

constexpr std::array<std::pair<StateKind, std::string_view>, 6> kNames = {{
    {StateKind::kSession, "session"},
    {StateKind::kRetained, "retained"},
    {StateKind::kMeta, "meta"},
    {StateKind::kClaim, "claim"},
    {StateKind::kRelease, "release"},
    {StateKind::kMarker, "marker"},
}};

}  // namespace

std::string_view kindName(StateKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "unknown";
}

StateKind kindOf(std::string_view name) {
  for (const auto& [k, n] : kNames)
    if (n == name) return k;
  return StateKind::kUnknown;
}

OutgoingMessage stateRecord(StateKind kind, std::string_view key, std::string_view body) {
  OutgoingMessage m;
  m.addString(kKindHeader, kindName(kind));
  m.addString(kKeyHeader, key);
  m.setBody(body);
  return m;
}

OutgoingMessage markerRecord(std::string_view markerId) {
  OutgoingMessage m;
  m.addString(kKindHeader, kindName(StateKind::kMarker));
  m.addString(kMarkerHeader, markerId);
  return m;
}

bool readStateEntry(const Delivery& d, StateEntry* out) {
  *out = StateEntry{};
  std::string_view marker;
  if (d.headerString(kMarkerHeader, &marker)) {  // whatever else it carries
    out->kind = StateKind::kMarker;
    out->marker = marker;
    return true;
  }
  std::string_view kind, key;
  if (!d.headerString(kKindHeader, &kind) || !d.headerString(kKeyHeader, &key)) return false;
  out->kind = kindOf(kind);
  if (out->kind == StateKind::kMarker) return false;  // a marker without its id
  out->key = key;
  out->body = d.body();
  return true;
}

std::vector<cluster::NamedPosition> namedPositions(const std::string& logStream,
                                                   const mqgw_position* p, uint32_t n) {
  std::vector<cluster::NamedPosition> out;
  for (uint32_t i = 0; i < n; ++i) {
    // Offsets beyond int64 cannot come from a stream (x-stream-offset is signed 64-bit).
    if (p[i].partition != 0 || p[i].offset > static_cast<uint64_t>(INT64_MAX)) continue;
    out.push_back({logStream, 0, static_cast<int64_t>(p[i].offset)});
  }
  return out;
}

std::vector<mqgw_position> corePositions(const std::string& logStream,
                                         const std::vector<cluster::NamedPosition>& p) {
  std::vector<mqgw_position> out;
  for (const cluster::NamedPosition& q : p) {
    // A name of another log (the prefix changed, or another backend wrote it) means nothing here.
    if (q.topic != logStream || q.partition != 0 || q.offset < 0) continue;
    out.push_back({0, static_cast<uint64_t>(q.offset)});
  }
  return out;
}

}  // namespace mqgw::amqp
