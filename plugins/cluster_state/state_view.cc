#include "state_view.h"

#include "mqgw/plugin_abi.h"

namespace mqgw::cluster {
namespace {

}  // namespace

bool StateView::apply(std::string_view key, const std::string* value) {
  std::lock_guard lock(mu_);
  std::string node;
  if (isFloorKey(key, &node)) {
    if (!value) return floors_.erase(node), true;
    FloorRecord f;
    if (!decode(*value, &f)) return false;
    floors_[node] = std::move(f.floor);
    return true;
  }
  std::string id(key);
  if (!value) {
    log_.erase(id);
    handedTo_.erase(id);
    return true;
  }
  SessionRecord r;
  if (!decode(*value, &r)) return false;
  if (r.owner != node_) handedTo_.erase(id);  // the new owner wrote: the topic knows now
  log_[id] = std::move(r);
  return true;
}

std::vector<std::pair<std::string, SessionRecord>> StateView::adoptOwnSessions() {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, SessionRecord>> out;
  for (const auto& [id, r] : log_) {
    if (r.owner != node_ || r.state.empty() || lost_.count(id)) continue;
    owned_[id] = r;
    out.emplace_back(id, r);
  }
  if (auto it = floors_.find(node_); it != floors_.end() && !ownFloorWritten_) {
    ownFloor_ = it->second;
    ownFloorWritten_ = true;
  }
  return out;
}

std::optional<std::vector<NamedPosition>> StateView::floorOf(const std::string& node) const {
  std::lock_guard lock(mu_);
  if (node == node_ && ownFloorWritten_) return ownFloor_;
  auto it = floors_.find(node);
  if (it == floors_.end()) return std::nullopt;
  return it->second;
}

int StateView::writeSession(const std::string& id, const SessionRecord& r, const Write& w) {
  if (r.state.empty()) return MQGW_OK;  // a cursor without its session yet: written with it
  std::string value = encode(r);
  return w(id, &value);
}

int StateView::putSession(const std::string& id, std::string state, uint64_t nowMs,
                          const Write& w) {
  std::lock_guard lock(mu_);
  if (lost_.count(id)) return MQGW_OK;
  SessionRecord& r = owned_[id];
  r.owner = node_;
  r.state = std::move(state);
  r.updatedMs = nowMs;
  return writeSession(id, r, w);
}

int StateView::deleteSession(const std::string& id, const Write& w) {
  std::lock_guard lock(mu_);
  if (lost_.count(id)) return MQGW_OK;
  // Nothing stored under this id, here or in the topic: no tombstone (every clean CONNECT on a
  // cluster deletes, most have nothing to delete).
  bool known = owned_.erase(id) + log_.erase(id) > 0;  // the tombstone is the truth now
  return known ? w(id, nullptr) : MQGW_OK;
}

int StateView::putCursor(const std::string& id, std::vector<NamedPosition> cursor,
                         uint64_t nowMs, const Write& w) {
  std::lock_guard lock(mu_);
  if (lost_.count(id)) return MQGW_OK;
  SessionRecord& r = owned_[id];
  if (!r.owner.empty() && r.cursor == cursor) return MQGW_OK;
  r.owner = node_;
  r.cursor = std::move(cursor);
  r.updatedMs = nowMs;
  return writeSession(id, r, w);
}

int StateView::putFloor(std::vector<NamedPosition> floor, uint64_t nowMs, const Write& w) {
  std::lock_guard lock(mu_);
  if (ownFloorWritten_ && ownFloor_ == floor) return MQGW_OK;
  FloorRecord f{node_, floor, nowMs};
  std::string value = encode(f);
  int rc = w(floorKey(node_), &value);
  if (rc == MQGW_OK) {
    ownFloor_ = std::move(floor);
    ownFloorWritten_ = true;
  }
  return rc;
}

StateView::Known StateView::lookup(const std::string& id) const {
  std::lock_guard lock(mu_);
  Known k;
  if (auto it = owned_.find(id); it != owned_.end() && !it->second.state.empty()) {
    k.owner = node_;
    k.record = it->second;
    return k;
  }
  if (auto it = log_.find(id); it != log_.end()) {
    k.owner = it->second.owner;
    k.record = it->second;
  }
  // Handed over from here, and the new owner's record has not shown yet: it holds it.
  if (auto it = handedTo_.find(id); it != handedTo_.end()) k.owner = it->second;
  return k;
}

int StateView::claimed(const std::string& id, std::optional<SessionRecord> taken,
                       uint64_t nowMs, const Write& w) {
  std::lock_guard lock(mu_);
  lost_.erase(id);
  handedTo_.erase(id);
  if (!taken) {
    // The new session is put (or deleted) by the core. What this node wrote is in the topic
    // even if not read back yet: a delete must still tombstone it.
    if (auto it = owned_.find(id); it != owned_.end()) {
      log_.insert_or_assign(id, std::move(it->second));
      owned_.erase(it);
    }
    return MQGW_OK;
  }
  SessionRecord& r = owned_[id];
  r = std::move(*taken);
  r.owner = node_;
  r.updatedMs = nowMs;
  return writeSession(id, r, w);
}

void StateView::lost(const std::string& id, const std::string& toNode) {
  std::lock_guard lock(mu_);
  // Only what this node held matters: remembering every Client ID claimed anywhere in the
  // cluster would grow without bound.
  auto stored = log_.find(id);
  bool held = stored != log_.end() && stored->second.owner == node_;
  if (auto it = owned_.find(id); it != owned_.end()) {
    held = true;
    log_.insert_or_assign(id, std::move(it->second));  // written, maybe not read back yet
    owned_.erase(it);
  }
  if (!held) return;
  lost_.insert(id);
  handedTo_[id] = toNode;
}

}  // namespace mqgw::cluster
