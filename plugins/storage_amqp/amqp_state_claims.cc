// StateStore: sessions moving between nodes over the control stream (host_api.h
// session_claim / session_release), as the Kafka backend does over its control topic. The
// stream's order is the one order every node sees: it decides which of two claims is newer.
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "amqp_state_impl.h"

namespace mqgw::amqp {
namespace {

// A claim whose record never made it to RabbitMQ is never read back: after this long it no
// longer counts as on its way.
constexpr uint64_t kInFlightForMs = 30000;

void controlWritten(void* arg, int status) {
  if (status == MQGW_OK) return;
  auto* host = static_cast<const mqgw_host_api*>(arg);
  host->log(MQGW_LOG_WARN, kStateLog, "a claim or release was not stored (%s)",
            host->strerror(status));
}

}  // namespace

int StateStore::Impl::writeControl(StateKind kind, const std::string& clientId,
                                   const std::string& value) {
  return publishOnce(publisher, controlStream, stateRecord(kind, clientId, value),
                     controlWritten, const_cast<mqgw_host_api*>(host));
}

uint64_t StateStore::Impl::newClaimId() {
  std::lock_guard lock(claimsMu);
  uint64_t id = 0;
  while (id == 0) id = random();
  return id;
}

void StateStore::Impl::ownClaimRead(const std::string& clientId, uint64_t claimId) {
  std::lock_guard lock(claimsMu);
  auto it = ownInFlight.find(clientId);
  if (it == ownInFlight.end()) return;
  std::erase_if(it->second, [&](const auto& c) { return c.first == claimId; });
  if (it->second.empty()) ownInFlight.erase(it);
}

bool StateStore::Impl::newerHere(const std::string& clientId) {
  std::lock_guard lock(claimsMu);
  auto it = ownInFlight.find(clientId);
  if (it == ownInFlight.end()) return false;
  const uint64_t now = wallMs();
  std::erase_if(it->second, [&](const auto& c) { return c.second + kInFlightForMs < now; });
  if (!it->second.empty()) return true;
  ownInFlight.erase(it);
  return false;
}

int StateStore::claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg) {
  Impl& s = *impl_;
  if (!s.started) return MQGW_E_UNAVAILABLE;
  std::string id(clientId.ptr, clientId.len);
  StateView::Known known = s.view.lookup(id);
  const bool stored = !known.owner.empty();
  ClaimRecord c{s.newClaimId(), s.settings.nodeId, id, takeState != 0, wallMs(),
                stored ? known.owner : std::string()};
  const bool wait = c.takeState && stored;
  if (wait) {
    // The view says this node owns it (a stale record): nobody else will answer, answer now.
    auto timeout = known.owner == s.settings.nodeId
                       ? std::chrono::milliseconds(0)
                       : std::chrono::milliseconds(s.settings.claimTimeoutMs);
    ClaimWaiter::Waiter w{c.claimId, id, known.owner, cb, arg, ClaimWaiter::Clock::now() + timeout};
    if (!s.waiter.add(std::move(w))) return MQGW_E_UNAVAILABLE;
  }
  {
    std::lock_guard lock(s.claimsMu);
    s.ownInFlight[id].emplace_back(c.claimId, c.timeMs);
  }
  int rc = s.writeControl(StateKind::kClaim, id, encode(c));
  if (rc != MQGW_OK) {
    s.ownClaimRead(id, c.claimId);
    if (wait && !s.waiter.take(c.claimId)) return 1;  // answered already: cb was called
    return rc;
  }
  if (wait) return 1;
  s.view.claimed(id, std::nullopt, c.timeMs, nullptr);
  return MQGW_OK;
}

int StateStore::release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
                        const mqgw_position* next, uint32_t n) {
  Impl& s = *impl_;
  ClaimRecord c;
  {
    std::lock_guard lock(s.claimsMu);
    auto it = s.toAnswer.find(claim);
    if (it == s.toAnswer.end()) return MQGW_E_NOT_FOUND;
    c = std::move(it->second);
    s.toAnswer.erase(it);
  }
  ReleaseRecord r{claim, s.settings.nodeId, c.node, std::string(clientId.ptr, clientId.len),
                  std::string(reinterpret_cast<const char*>(state), len),
                  namedPositions(s.logStream, next, n)};
  s.view.lost(r.clientId, c.node);  // the claiming node writes it from now on
  return s.writeControl(StateKind::kRelease, r.clientId, encode(r));
}

// ---- the control follower's thread ----

void StateStore::Impl::onControlRecord(int64_t offset, const Delivery& d) {
  StateEntry e;
  ControlRecord record;
  if (!readStateEntry(d, &e) || (e.kind != StateKind::kClaim && e.kind != StateKind::kRelease) ||
      !cluster::decode(e.body, &record)) {
    host->log(MQGW_LOG_WARN, kStateLog, "%s: unreadable record at offset %lld ignored",
              controlStream.c_str(), static_cast<long long>(offset));
    return;
  }
  if (auto* c = std::get_if<ClaimRecord>(&record)) return onClaim(*c);
  onRelease(std::get<ReleaseRecord>(record));
}

// Every node closes its connection of that Client ID; only the node asked to (or the one that
// holds the session by its own records) hands over the state — a node asked by a claimant with
// an older view answers "not held", which the claimant does not wait for.
void StateStore::Impl::onClaim(const ClaimRecord& c) {
  const std::string& self = settings.nodeId;
  if (c.node == self) {  // read back: later claims from others are newer than it
    ownClaimRead(c.clientId, c.claimId);
    return;
  }
  // This node's own claim of the id is still on its way: it will land after this one, so the
  // local connection is the newer one and stays (the claimant times out to the stored state).
  if (newerHere(c.clientId)) return;
  bool answerHere =
      c.takeState && (c.expectedOwner == self || view.lookup(c.clientId).owner == self);
  if (answerHere) {
    std::lock_guard lock(claimsMu);
    toAnswer[c.claimId] = c;
  } else {
    view.lost(c.clientId, c.node);
  }
  host->storage_session_claimed({c.clientId.data(), c.clientId.size()}, answerHere ? 1 : 0,
                                c.claimId, c.timeMs);
}

void StateStore::Impl::onRelease(const ReleaseRecord& r) {
  if (r.to != settings.nodeId) return;
  std::optional<ClaimWaiter::Waiter> w = waiter.take(r.claimId);
  if (!w) return;  // answered at its deadline already
  if (r.state.empty() && r.from != w->expectedOwner) {
    waiter.add(std::move(*w));  // "not held" from a node not asked: the owner may still answer
    return;
  }
  answer(*w, &r);
}

void StateStore::Impl::answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r) {
  SessionRecord taken;
  std::string from;
  if (r && !r->state.empty()) {
    taken.state = r->state;
    taken.cursor = r->cursor;
    from = r->from;
  } else {
    StateView::Known k = view.lookup(w.clientId);
    if (k.record.state.empty()) return w.cb(w.arg, MQGW_E_NOT_FOUND, nullptr, 0, nullptr, 0);
    taken = k.record;
    from = k.record.owner;
  }
  // An empty cursor followed its node's floor: everything from there on is still owed. On
  // this node itself it means "owed nothing beyond the live position" (n == 0).
  if (taken.cursor.empty() && from != settings.nodeId)
    if (auto floor = view.floorOf(from)) taken.cursor = *floor;
  std::vector<mqgw_position> next = corePositions(logStream, taken.cursor);
  std::string state = taken.state;
  view.claimed(w.clientId, std::move(taken), wallMs(), sessionWriter());
  w.cb(w.arg, MQGW_OK, reinterpret_cast<const uint8_t*>(state.data()), state.size(), next.data(),
       static_cast<uint32_t>(next.size()));
}

}  // namespace mqgw::amqp
