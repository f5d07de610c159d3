#include "load_visit.h"

namespace mqgw::cluster {

void visitOwnSessions(StateView& view, const ToCorePositions& toCore, const mqgw_load_visitor* v) {
  for (auto& [id, r] : view.adoptOwnSessions()) {
    std::vector<mqgw_position> next = toCore(r.cursor);
    v->session(v->arg, {id.data(), id.size()}, reinterpret_cast<const uint8_t*>(r.state.data()),
               r.state.size(), next.data(), static_cast<uint32_t>(next.size()));
  }
}

size_t visitRetained(const mqgw_host_api* host,
                     const std::map<std::string, std::string>& retained,
                     const mqgw_load_visitor* v) {
  size_t unreadable = 0;
  for (const auto& [topic, bytes] : retained) {
    mqgw_message* m =
        host->message_decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (!m) {
      ++unreadable;
      continue;
    }
    v->retained(v->arg, m);
    host->message_unref(m);
  }
  return unreadable;
}

}  // namespace mqgw::cluster
