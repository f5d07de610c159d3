// Sessions moving between nodes (host_api.h session_claim / session_release) over the
// backend's control channel (Kafka: the control topic; RabbitMQ: the control stream), read by
// every node in one order: that order decides which of two claims is newer, not the nodes'
// clocks. Engine-neutral: the backend writes the records (Hooks) and hands back every record it
// reads from the channel, in order (onControl, on its reading thread).
//
// A claim with take_state of a session someone stores waits (ClaimWaiter, its own thread) for
// the owner's release until Settings claim timeout; the owner's answer, or the last stored
// state at the deadline, goes to the claim's callback. Every other node closes its connection
// of that Client ID (host->storage_session_claimed) — unless its own claim of the id is still
// on its way: it lands later, so the local connection is the newer one.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "claim_waiter.h"
#include "load_visit.h"
#include "mqgw/plugin_abi.h"
#include "named_position.h"
#include "state_record.h"
#include "state_view.h"

namespace mqgw::cluster {

class SessionClaims {
 public:
  enum class Control { kClaim, kRelease };
  struct Hooks {
    // Writes one record (encode(ClaimRecord) or encode(ReleaseRecord)) for clientId to the
    // control channel; an mqgw_status.
    std::function<int(Control kind, const std::string& clientId, const std::string& record)>
        writeControl;
    // The backend's core positions ↔ named positions.
    std::function<std::vector<NamedPosition>(const mqgw_position* p, uint32_t n)> toNamed;
    ToCorePositions toCore;
    // The view's writes of a session taken over (the sessions store).
    StateView::Write writeSession;
  };

  SessionClaims(const mqgw_host_api* host, std::string nodeId, int claimTimeoutMs,
                StateView& view, Hooks hooks);
  ~SessionClaims();  // stop()
  SessionClaims(const SessionClaims&) = delete;
  SessionClaims& operator=(const SessionClaims&) = delete;

  void start();  // the waiter's thread; claims before it fail MQGW_E_UNAVAILABLE
  // Joins the waiter's thread; every claim still waiting is answered MQGW_E_NOT_FOUND. Stop
  // the reading of the control channel first: no release may take a waiter afterwards.
  void stop();

  // storage op session_claim: MQGW_OK (answered: nothing to take over), 1 (cb answers later)
  // or an error (the record was not written; cb is not called).
  int claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg);
  // storage op session_release: the answer to a claim this node was asked (MQGW_E_NOT_FOUND
  // for a claim it was not).
  int release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
              const mqgw_position* next, uint32_t n);
  // A record read from the control channel, in channel order.
  void onControl(const ControlRecord& record);

 private:
  void onClaim(const ClaimRecord& c);
  void onRelease(const ReleaseRecord& r);
  // Answers a claim this node made: with the released state, or (r == nullptr or an empty
  // release) with the last state stored; MQGW_E_NOT_FOUND when there is none.
  void answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r);
  uint64_t newClaimId();
  bool newerHere(const std::string& clientId);
  void ownClaimRead(const std::string& clientId, uint64_t claimId);

  const mqgw_host_api* host_;
  const std::string node_;
  const int claimTimeoutMs_;
  StateView& view_;
  const Hooks hooks_;
  ClaimWaiter waiter_;

  std::mutex mu_;
  std::unordered_map<uint64_t, ClaimRecord> toAnswer_;  // claims this node must release
  // This node's own claims not yet read back from the channel, by Client ID (claim id, wall
  // time sent): a claim from another node read before them is older than this node's
  // connection.
  std::unordered_map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> ownInFlight_;
  std::mt19937_64 random_;
};

}  // namespace mqgw::cluster
