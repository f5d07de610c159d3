#include "session_claims.h"

#include <chrono>
#include <optional>
#include <variant>

namespace mqgw::cluster {
namespace {

// A claim whose record never made it to the channel is never read back: after this long it no
// longer counts as on its way.
constexpr uint64_t kInFlightForMs = 30000;

uint64_t wallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

SessionClaims::SessionClaims(const mqgw_host_api* host, std::string nodeId, int claimTimeoutMs,
                             StateView& view, Hooks hooks)
    : host_(host),
      node_(std::move(nodeId)),
      claimTimeoutMs_(claimTimeoutMs),
      view_(view),
      hooks_(std::move(hooks)),
      waiter_([this](ClaimWaiter::Waiter& w) { answer(w, nullptr); }),
      random_(std::random_device{}()) {}

SessionClaims::~SessionClaims() { stop(); }

void SessionClaims::start() { waiter_.start(); }
void SessionClaims::stop() { waiter_.stop(); }

uint64_t SessionClaims::newClaimId() {
  std::lock_guard lock(mu_);
  uint64_t id = 0;
  while (id == 0) id = random_();
  return id;
}

void SessionClaims::ownClaimRead(const std::string& clientId, uint64_t claimId) {
  std::lock_guard lock(mu_);
  auto it = ownInFlight_.find(clientId);
  if (it == ownInFlight_.end()) return;
  std::erase_if(it->second, [&](const auto& c) { return c.first == claimId; });
  if (it->second.empty()) ownInFlight_.erase(it);
}

bool SessionClaims::newerHere(const std::string& clientId) {
  std::lock_guard lock(mu_);
  auto it = ownInFlight_.find(clientId);
  if (it == ownInFlight_.end()) return false;
  const uint64_t now = wallMs();
  std::erase_if(it->second, [&](const auto& c) { return c.second + kInFlightForMs < now; });
  if (!it->second.empty()) return true;
  ownInFlight_.erase(it);
  return false;
}

int SessionClaims::claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg) {
  std::string id(clientId.ptr, clientId.len);
  StateView::Known known = view_.lookup(id);
  const bool stored = !known.owner.empty();
  ClaimRecord c{newClaimId(), node_, id, takeState != 0, wallMs(),
                stored ? known.owner : std::string()};
  const bool wait = c.takeState && stored;
  if (wait) {
    // The view says this node owns it (a stale record): nobody else will answer, answer now.
    auto timeout = known.owner == node_ ? std::chrono::milliseconds(0)
                                        : std::chrono::milliseconds(claimTimeoutMs_);
    ClaimWaiter::Waiter w{c.claimId, id, known.owner, cb, arg,
                          ClaimWaiter::Clock::now() + timeout};
    if (!waiter_.add(std::move(w))) return MQGW_E_UNAVAILABLE;
  }
  {
    std::lock_guard lock(mu_);
    ownInFlight_[id].emplace_back(c.claimId, c.timeMs);
  }
  int rc = hooks_.writeControl(Control::kClaim, id, encode(c));
  if (rc != MQGW_OK) {
    ownClaimRead(id, c.claimId);
    if (wait && !waiter_.take(c.claimId)) return 1;  // answered already: cb was called
    return rc;
  }
  if (wait) return 1;
  view_.claimed(id, std::nullopt, c.timeMs, nullptr);
  return MQGW_OK;
}

int SessionClaims::release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
                           const mqgw_position* next, uint32_t n) {
  ClaimRecord c;
  {
    std::lock_guard lock(mu_);
    auto it = toAnswer_.find(claim);
    if (it == toAnswer_.end()) return MQGW_E_NOT_FOUND;
    c = std::move(it->second);
    toAnswer_.erase(it);
  }
  ReleaseRecord r{claim, node_, c.node, std::string(clientId.ptr, clientId.len),
                  std::string(reinterpret_cast<const char*>(state), len), hooks_.toNamed(next, n)};
  view_.lost(r.clientId, c.node);  // the claiming node writes it from now on
  return hooks_.writeControl(Control::kRelease, r.clientId, encode(r));
}

void SessionClaims::onControl(const ControlRecord& record) {
  if (auto* c = std::get_if<ClaimRecord>(&record)) return onClaim(*c);
  onRelease(std::get<ReleaseRecord>(record));
}

// Every node closes its connection of that Client ID; only the node asked to (or the one that
// holds the session by its own records) hands over the state — a node asked by a claimant with
// an older view answers "not held", which the claimant does not wait for.
void SessionClaims::onClaim(const ClaimRecord& c) {
  if (c.node == node_) {  // read back: later claims from others are newer than it
    ownClaimRead(c.clientId, c.claimId);
    return;
  }
  // This node's own claim of the id is still on its way: it will land after this one, so the
  // local connection is the newer one and stays (the claimant times out to the stored state).
  if (newerHere(c.clientId)) return;
  bool answerHere =
      c.takeState && (c.expectedOwner == node_ || view_.lookup(c.clientId).owner == node_);
  if (answerHere) {
    std::lock_guard lock(mu_);
    toAnswer_[c.claimId] = c;
  } else {
    view_.lost(c.clientId, c.node);
  }
  host_->storage_session_claimed({c.clientId.data(), c.clientId.size()}, answerHere ? 1 : 0,
                                 c.claimId, c.timeMs);
}

void SessionClaims::onRelease(const ReleaseRecord& r) {
  if (r.to != node_) return;
  std::optional<ClaimWaiter::Waiter> w = waiter_.take(r.claimId);
  if (!w) return;  // answered at its deadline already
  if (r.state.empty() && r.from != w->expectedOwner) {
    waiter_.add(std::move(*w));  // "not held" from a node not asked: the owner may still answer
    return;
  }
  answer(*w, &r);
}

void SessionClaims::answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r) {
  SessionRecord taken;
  std::string from;
  if (r && !r->state.empty()) {
    taken.state = r->state;
    taken.cursor = r->cursor;
    from = r->from;
  } else {
    StateView::Known k = view_.lookup(w.clientId);
    if (k.record.state.empty()) return w.cb(w.arg, MQGW_E_NOT_FOUND, nullptr, 0, nullptr, 0);
    taken = k.record;
    from = k.record.owner;
  }
  // An empty cursor followed its node's floor: everything from there on is still owed. On
  // this node itself it means "owed nothing beyond the live position" (n == 0).
  if (taken.cursor.empty() && from != node_)
    if (auto floor = view_.floorOf(from)) taken.cursor = *floor;
  std::vector<mqgw_position> next = hooks_.toCore(taken.cursor);
  std::string state = taken.state;
  view_.claimed(w.clientId, std::move(taken), wallMs(), hooks_.writeSession);
  w.cb(w.arg, MQGW_OK, reinterpret_cast<const uint8_t*>(state.data()), state.size(), next.data(),
       static_cast<uint32_t>(next.size()));
}

}  // namespace mqgw::cluster
