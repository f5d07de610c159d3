// Claims and releases over a control channel (session_claims.h), with the channel played by
// the test: what a node writes is read back (or not) by calling onControl.
#include "session_claims.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace mqgw::cluster {
namespace {

struct Announced {
  std::string clientId;
  int takeState;
  uint64_t claimId;
};
std::vector<Announced> announced;  // host->storage_session_claimed

struct Answer {
  int status = 1;  // 1: not answered
  std::string state;
  std::vector<mqgw_position> next;
};

void answered(void* arg, int status, const uint8_t* state, size_t len, const mqgw_position* next,
              uint32_t n) {
  auto* a = static_cast<Answer*>(arg);
  a->status = status;
  a->state.assign(reinterpret_cast<const char*>(state), len);
  a->next.assign(next, next + n);
}

mqgw_str str(const std::string& s) { return {s.data(), s.size()}; }

// One node: its view, its claims, and what it wrote to the channel and the sessions store.
struct Node {
  explicit Node(const std::string& id, int refuseWrites = MQGW_OK)
      : view(id),
        refuse(refuseWrites),
        claims(&host, id, /*claimTimeoutMs=*/60000, view,
               {[this](SessionClaims::Control, const std::string&,
                       const std::string& record) -> int {
                  if (refuse != MQGW_OK) return refuse;
                  ControlRecord r;
                  EXPECT_TRUE(decode(record, &r));
                  written.push_back(r);
                  return MQGW_OK;
                },
                [](const mqgw_position* p, uint32_t n) {
                  std::vector<NamedPosition> out;
                  for (uint32_t i = 0; i < n; ++i) out.push_back({"log", 0, int64_t(p[i].offset)});
                  return out;
                },
                [](const std::vector<NamedPosition>& c) {
                  std::vector<mqgw_position> out;
                  for (const NamedPosition& p : c) out.push_back({0, uint64_t(p.offset)});
                  return out;
                },
                [this](const std::string& k, const std::string*) -> int {
                  sessionWrites.push_back(k);
                  return MQGW_OK;
                }}) {
    host.storage_session_claimed = [](mqgw_str id, int take, uint64_t claim, uint64_t) {
      announced.push_back({std::string(id.ptr, id.len), take, claim});
    };
    claims.start();
  }
  ClaimRecord lastClaim() const { return std::get<ClaimRecord>(written.back()); }
  ReleaseRecord lastRelease() const { return std::get<ReleaseRecord>(written.back()); }

  mqgw_host_api host{};
  StateView view;
  int refuse;
  std::vector<ControlRecord> written;
  std::vector<std::string> sessionWrites;
  SessionClaims claims;
};

// The session record `owner` stored for c1.
void stored(Node& n, const std::string& owner, const std::string& state, int64_t offset) {
  std::string value = encode(SessionRecord{owner, state, {{"log", 0, offset}}, 1});
  n.view.apply("c1", &value);
}

class SessionClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override { announced.clear(); }
};

TEST_F(SessionClaimsTest, ANewSessionIsClaimedAtOnce) {
  Node a("a");
  Answer ans;
  EXPECT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), MQGW_OK);
  ASSERT_EQ(a.written.size(), 1u);
  ClaimRecord c = a.lastClaim();
  EXPECT_EQ(c.node, "a");
  EXPECT_EQ(c.clientId, "c1");
  EXPECT_TRUE(c.takeState);
  EXPECT_EQ(c.expectedOwner, "");
  EXPECT_NE(c.claimId, 0u);
  EXPECT_EQ(ans.status, 1) << "nothing to take over: no callback";
}

TEST_F(SessionClaimsTest, TheOwnerReleasesAndTheClaimantTakesStateAndCursor) {
  Node a("a"), b("b");
  stored(a, "b", "old", 3);
  stored(b, "b", "old", 3);
  Answer ans;
  ASSERT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), 1);
  ClaimRecord c = a.lastClaim();
  EXPECT_EQ(c.expectedOwner, "b");

  b.claims.onControl(c);  // the owner reads the claim: asked to answer
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].clientId, "c1");
  EXPECT_EQ(announced[0].takeState, 1);
  EXPECT_EQ(announced[0].claimId, c.claimId);
  const mqgw_position next{0, 9};
  const std::string state = "final";
  ASSERT_EQ(b.claims.release(c.claimId, str("c1"),
                             reinterpret_cast<const uint8_t*>(state.data()), state.size(), &next,
                             1),
            MQGW_OK);
  EXPECT_EQ(b.claims.release(c.claimId, str("c1"), nullptr, 0, nullptr, 0), MQGW_E_NOT_FOUND)
      << "a claim is released once";
  ReleaseRecord r = b.lastRelease();
  EXPECT_EQ(r.from, "b");
  EXPECT_EQ(r.to, "a");

  a.claims.onControl(c);  // its own claim read back: not announced
  a.claims.onControl(r);
  EXPECT_EQ(announced.size(), 1u);
  EXPECT_EQ(ans.status, MQGW_OK);
  EXPECT_EQ(ans.state, "final");
  ASSERT_EQ(ans.next.size(), 1u);
  EXPECT_EQ(ans.next[0].offset, 9u);
  EXPECT_EQ(a.view.lookup("c1").owner, "a");
  EXPECT_EQ(a.sessionWrites, std::vector<std::string>{"c1"}) << "the state taken is stored";
}

TEST_F(SessionClaimsTest, NotHeldFromANodeNotAskedKeepsWaitingForTheOwner) {
  Node a("a");
  stored(a, "b", "old", 3);
  Answer ans;
  ASSERT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), 1);
  ClaimRecord c = a.lastClaim();
  a.claims.onControl(ReleaseRecord{c.claimId, "x", "a", "c1", "", {}});
  EXPECT_EQ(ans.status, 1);
  a.claims.onControl(ReleaseRecord{c.claimId, "b", "a", "c1", "", {}});  // the owner: not held
  EXPECT_EQ(ans.status, MQGW_OK) << "answered with the last stored state";
  EXPECT_EQ(ans.state, "old");
}

TEST_F(SessionClaimsTest, AnOlderClaimReadBeforeThisNodesOwnDoesNotCloseTheLocalConnection) {
  Node a("a");
  Answer ans;
  ASSERT_EQ(a.claims.claim(str("c1"), 0, answered, &ans), MQGW_OK);
  ClaimRecord mine = a.lastClaim();
  ClaimRecord other{77, "b", "c1", false, 1, ""};
  a.claims.onControl(other);  // written by b before a's claim landed
  EXPECT_TRUE(announced.empty());
  a.claims.onControl(mine);
  a.claims.onControl(ClaimRecord{78, "b", "c1", false, 2, ""});  // after a's: newer
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].claimId, 78u);
  EXPECT_EQ(announced[0].takeState, 0) << "a does not hold it by its records";
}

TEST_F(SessionClaimsTest, ARefusedClaimIsNotInFlightAndNotAnswered) {
  Node a("a", MQGW_E_UNAVAILABLE);
  stored(a, "b", "old", 3);
  Answer ans;
  EXPECT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), MQGW_E_UNAVAILABLE);
  EXPECT_EQ(ans.status, 1);
  a.claims.onControl(ClaimRecord{5, "b", "c1", false, 1, ""});
  EXPECT_EQ(announced.size(), 1u) << "no claim of a's own is on its way";
}

TEST_F(SessionClaimsTest, StopAnswersWaitingClaimsNotFound) {
  Node a("a");
  stored(a, "b", "old", 3);
  Answer ans;
  ASSERT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), 1);
  a.claims.stop();
  EXPECT_EQ(ans.status, MQGW_E_NOT_FOUND);
  EXPECT_EQ(a.claims.claim(str("c1"), 1, answered, &ans), MQGW_E_UNAVAILABLE);
}

}  // namespace
}  // namespace mqgw::cluster
