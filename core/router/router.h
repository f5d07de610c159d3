// The per-worker router: a topic tree of this worker's subscriptions, the sessions attached to
// this worker, and the fan-out of a stored message to every worker (batched message passing —
// no lock is held across a fan-out). See docs/decisions/0001-threading.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "router/retained_store.h"
#include "router/session.h"
#include "router/shared_groups.h"
#include "router/topic_tree.h"

namespace mqgw {

class Worker;
namespace tenancy {
class InstanceRuntime;
}

struct Subscriber {
  Session* session;
  mqgw_sub_options options;
  bool filtered;  // a deny rule overlaps the filter: check each topic at delivery (topic_acl.h)
};
using SubscriberList = std::vector<Subscriber>;

class Router {
 public:
  explicit Router(Worker& w) : worker_(w) {}
  ~Router();

  Worker* peer(uint32_t index) const;

  Session* createSession(const std::string& clientId, Connection* c);
  Session* findSession(uint64_t id);
  void destroySession(Session* s);  // removes its subscriptions and forgets it

  // fromSubscribePacket: a client's SUBSCRIBE gets the matching retained messages (honouring
  // Retain Handling); a subscription restored with a resumed session does not.
  int subscribe(Session* s, std::string_view filter, const mqgw_sub_options& o,
                bool fromSubscribePacket = false);
  int unsubscribe(Session* s, std::string_view filter);

  // A stored message: deliver here and hand one reference to every other worker.
  void route(mqgw_message* msg);
  // Deliver to this worker's matching sessions only.
  void routeLocal(mqgw_message* msg);
  // A console instance's P2P message ("<parent>/p2p/<ClientID>", p2p.cc): to that client
  // alone, if its session lives on this worker. False for any other message.
  bool routeP2P(mqgw_message* msg);
  // Kicks (MQGW_CLOSE_ADMIN) this worker's connections of an instance; returns how many.
  size_t closeInstanceConnections(const tenancy::InstanceRuntime* rt);
  // A message a clustered backend took for this node's members of one $share group (worker 0).
  void routeShared(std::string_view group, std::string_view filter, mqgw_message* msg);

  const router::RetainedStore& retained() const { return retained_; }

  // Session lifecycle (sessions.cc): open (with takeover of a previous owner, possibly on
  // another worker), close (end or detach), park/resume of what a persistent session owes,
  // delayed wills, expiry.
  Session* openSession(Connection* c, const mqgw_session_params& p, bool* present);
  void closeSession(Session* s);
  void parkSession(Session* s, const mqgw_parked* owed, uint32_t n, const uint16_t* qos2Ids,
                   uint32_t nIds);
  void resumeSession(Session* s);
  void setWill(Session* s, mqgw_message* will, uint32_t delayS);
  void setExpiry(Session* s, uint32_t expiryS);
  // Hands a delivery to the session's connection, or queues it while the client is away.
  // fresh: a message being routed now (not a retained one sent because of a SUBSCRIBE), which
  // a durable session's cursor tracks.
  void deliverToSession(Session* s, mqgw_message* msg, const mqgw_delivery& d, bool fresh = true);
  void sweepSessions();  // wills that are due, sessions that expired

  // durable_sessions.cc: what a durable backend keeps of persistent sessions — their state
  // (session_put), and cursors that say where a replay after a crash starts for each.
  void settle(Session* s, const mqgw_message* msg);  // the client took msg for good
  void flushCursors();                                // from the sweep timer: one batch
  // At start, before any connection: a session the backend kept, and where replay starts.
  void restoreSession(const std::string& clientId, const uint8_t* state, size_t len,
                      std::vector<mqgw_position> replayFrom);
  void setFloors(const std::vector<mqgw_position>& floors);
  void restoreRetained(mqgw_message* msg) { updateRetained(msg); }
  // Every worker's retained store takes msg now, ahead of the feed (cluster_retained.cc).
  static void retainEverywhere(mqgw_message* msg);
  void retainAhead(mqgw_message* msg);
  void endReplay();  // replay is over: restored sessions take every message from now on

  // cluster_sessions.cc: sessions that move between gateway nodes sharing a clustered backend
  // (docs/decisions/0005-kafka-cluster.md). A CONNECT claims the Client ID on every node;
  // a resumed session's state comes from its previous node, and the messages it had not
  // settled are replayed for it alone before it resumes.
  void claimAcrossNodes(Session* s, const mqgw_session_params& p, bool* present);
  // Another node claimed clientId (host->storage_session_claimed), on the owner's worker.
  static void onClaimedElsewhere(std::string clientId, bool takeState, uint64_t claim);
  // A CONNECT that took over a session on this node: still tells the other nodes.
  void announceClaim(Session* s);
  // A session_replay item (msg null: the end, with status) reaching its session's worker.
  static void toReplayTarget(uint64_t target, mqgw_message* msg, int status);

 private:
  bool removeFromTree(Session* s, std::string_view filter);
  void updateRetained(mqgw_message* msg);
  // Retained messages for a new subscription go out from a task posted to this worker, so they
  // follow the SUBACK the frontend writes after subscribe() returns (MQTT 5 §3.8.4).
  void queueRetained(Session* s, std::string_view filter, const mqgw_sub_options& granted);
  static void flushRetainedTask(void* self);
  void flushRetained();

  // shared_dispatch.cc: $share/<group>/<filter> subscriptions
  int subscribeShared(Session* s, std::string_view filter, const mqgw_sub_options& o);
  void removeSubscription(Session* s, std::string_view filter);  // shared or not
  void broadcastShared(bool add, std::string_view filter, const router::SharedMember& m);
  void applySharedUpdate(bool add, std::string_view filter, const router::SharedMember& m);
  void dispatchShared(mqgw_message* msg, const router::SharedGroup& g,
                      const router::SharedMember& m, int hops);
  void deliverShared(mqgw_message* msg, const router::SharedGroup& g,
                     const router::SharedMember& m, int hops);
  bool busy(Session* s) const;             // its outbound or offline queue is full
  bool hasShared(const Session* s) const;
  void redistributeShared(Session* s);     // a leaving member's pending messages
  static void sharedUpdateTask(void* arg);
  static void sharedDeliveryTask(void* arg);

  struct Transfer;
  static void surrenderTask(void* arg);
  static void adoptTask(void* arg);
  void surrender(Transfer* t);
  void adopt(Transfer* t);
  struct RemoteState;
  struct Release;
  void adoptRemote(RemoteState* r);
  void takeReplayed(uint64_t sessionId, mqgw_message* msg);
  void finishRemoteAdopt(uint64_t sessionId, int status);
  void releaseToNode(Release* r);
  bool deliveryFor(Session* s, const mqgw_message* msg, mqgw_delivery* d,
                   std::vector<uint32_t>& ids) const;
  void doResume(Session* s);
  void enqueue(Session* s, mqgw_message* msg, const mqgw_delivery& d);
  void publishWill(Session* s);
  void track(Session* s, const mqgw_message* msg);
  void markCursorDirty(Session* s);
  void noteFed(const mqgw_message* msg);
  void persist(Session* s, bool detached = false);
  void forget(Session* s);  // its stored state is obsolete

  Worker& worker_;
  std::vector<uint64_t> detached_;  // persistent sessions whose client is away
  router::TopicTree<SubscriberList> tree_;
  std::unordered_map<uint64_t, Session> sessions_;  // node-based: Session addresses are stable
  struct Match {
    Session* session;
    uint8_t qos;
    uint32_t subscriptionId;
    bool retainAsPublished;
  };
  std::vector<Match> matches_;  // scratch, reused per message
  std::vector<uint32_t> subscriptionIds_;  // scratch: one session's matching identifiers
  bool routing_ = false;
  std::vector<uint64_t> graveyard_;  // ids of sessions ended during a fan-out
  router::RetainedStore retained_;
  router::SharedGroups shared_;  // this worker's replica of every shared group
  struct PendingRetained {
    uint64_t sessionId;
    mqgw_message* msg;  // one reference, released once sent or dropped
    mqgw_delivery delivery;
  };
  std::vector<PendingRetained> pendingRetained_;
  bool retainedFlushPosted_ = false;
  std::vector<uint64_t> cursorDirty_;    // sessions whose cursor changed since the last flush
  std::vector<mqgw_position> nextFed_;   // per partition: every earlier position was routed here
  // Retained messages applied before the feed brought them back (retainEverywhere): until it
  // does, fed messages of that topic are older ones and must not undo it.
  struct RetainedAhead {
    uint8_t id[16];
    uint64_t sinceMs;
  };
  std::unordered_map<std::string, RetainedAhead> retainedAhead_;
  bool olderThanAhead(const mqgw_message* msg);
  // sessions adopted from another node, waiting for their replay: what it brought so far
  std::unordered_map<uint64_t, std::vector<QueuedDelivery>> replaying_;
};

}  // namespace mqgw
