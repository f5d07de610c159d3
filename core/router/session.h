// A client session as the core sees it: who it is, which worker and connection it is attached
// to, what it subscribed to, and — for a persistent session whose client is away — what it
// still owes the client (its backlog). Protocol-neutral: packet ids are opaque numbers the
// frontend hands back on resume.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "router/session_cursor.h"

namespace mqgw {

class Connection;
namespace tenancy {
struct Tenant;
struct TenantDeleter {
  void operator()(Tenant* t) const;  // tenancy/admission.cc: also releases its connection slot
};
}  // namespace tenancy

struct Subscription {
  std::string filter;
  mqgw_sub_options options;
};

struct QueuedDelivery {
  mqgw_message* msg;  // holds a ref
  uint8_t qos;
  uint8_t retain;
  uint32_t subscriptionId;
};

// What a session owes while its client is away. Allocated only when there is something in it:
// an idle connected session costs nothing here.
struct SessionBacklog {
  std::vector<mqgw_parked> parked;      // in flight when the connection ended; msg refs held
  std::vector<uint16_t> qos2Inbound;    // QoS 2 packet ids received, not yet released
  std::deque<QueuedDelivery> queue;     // arrived while away, or before the resume
  size_t queueBytes = 0;
  mqgw_message* will = nullptr;         // a delayed will (ref held)
  uint64_t willAtMs = 0;                // steady ms
  uint64_t expireAtMs = 0;              // steady ms once detached; 0 = never
  ~SessionBacklog();
  bool empty() const { return parked.empty() && qos2Inbound.empty() && queue.empty() && !will; }
};

class Session {
 public:
  // A session lives on the worker whose router holds it, and is only touched from that
  // worker's thread (a takeover moves its state to a new Session, never the object itself).
  Session(uint64_t id, std::string clientId, Connection* c)
      : id(id), clientId(std::move(clientId)), conn(c) {}
  uint64_t id;
  std::string clientId;
  Connection* conn;  // nullptr while the client is away
  uint32_t expiryIntervalS = 0;  // 0 = ends with its connection; UINT32_MAX = never expires
  bool resumePending = false;    // attached, but the backlog is not yet handed to the frontend
  bool transferPending = false;  // waiting for the previous owner's state from another worker
  bool resumeRequested = false;  // the frontend asked to resume while the transfer was pending
  bool movedAway = false;        // a newer session took its state; awaiting its frontend's close
  bool stored = false;           // a durable backend holds its state (session_put)
  // Allocated on the first SUBSCRIBE: most idle device connections only publish.
  std::unique_ptr<std::vector<Subscription>> subscriptions;
  std::unique_ptr<SessionBacklog> backlog;
  // A persistent session on a durable backend: what it has not settled (durable_sessions.cc).
  std::unique_ptr<SessionCursor> cursor;
  // The console instance this session's connection was admitted to (tenancy/tenancy.h); null
  // for the development instance and for a persistent session whose client is away.
  std::unique_ptr<tenancy::Tenant, tenancy::TenantDeleter> tenant;

  bool persistent() const { return expiryIntervalS > 0; }
  std::vector<Subscription>& subs() {
    if (!subscriptions) subscriptions = std::make_unique<std::vector<Subscription>>();
    return *subscriptions;
  }
  SessionBacklog& owed() {
    if (!backlog) backlog = std::make_unique<SessionBacklog>();
    return *backlog;
  }
};

}  // namespace mqgw
