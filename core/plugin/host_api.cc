#include "plugin/host_api.h"

#include <uv.h>

#include <cstdarg>
#include <cstddef>
#include <cstring>
#include <string>

#include "auth/enhanced_auth.h"
#include "auth/topic_acl.h"
#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "log/log.h"
#include "loop/worker.h"
#include "message/message.h"
#include "message/message_record.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "router/router.h"
#include "router/topic_rules.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

struct mqgw_timer {
  uv_timer_t handle;
  void (*cb)(void*);
  void* arg;
};

namespace mqgw {
namespace {

// Every shim ends in a catch-all: no C++ exception may cross into a plugin.
#define MQGW_GUARD(fallback) \
  catch (...) {              \
    return fallback;         \
  }

void hostLog(int level, const char* plugin, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log::vwrite(level, plugin, fmt, ap);
  va_end(ap);
}

uint32_t loopCount() { return Gateway::get().workerCount(); }
int32_t currentLoop() {
  Worker* w = Worker::current();
  return w ? static_cast<int32_t>(w->index()) : -1;
}
int postToLoop(uint32_t loop, void (*fn)(void*), void* arg) {
  if (loop >= Gateway::get().workerCount() || !fn) return MQGW_E_INVAL;
  return Gateway::get().worker(loop).post(fn, arg) ? MQGW_OK : MQGW_E_CLOSED;
}

mqgw_timer* timerStart(uint64_t timeout, uint64_t repeat, void (*cb)(void*), void* arg) {
  Worker* w = Worker::current();
  if (!w || !cb) return nullptr;
  auto* t = new mqgw_timer{{}, cb, arg};
  uv_timer_init(w->loop(), &t->handle);
  t->handle.data = t;
  uv_timer_start(
      &t->handle, [](uv_timer_t* h) {
        auto* tt = static_cast<mqgw_timer*>(h->data);
        tt->cb(tt->arg);
      },
      timeout, repeat);
  return t;
}
void timerStop(mqgw_timer* t) {
  if (!t) return;
  uv_timer_stop(&t->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&t->handle),
           [](uv_handle_t* h) { delete static_cast<mqgw_timer*>(h->data); });
}
uint64_t nowMs() {
  Worker* w = Worker::current();
  return w ? w->now() : uv_hrtime() / 1000000;
}

uint32_t metricRegister(const char* name, const char* help, int gauge) {
  try {
    return metrics::registerMetric(name ? name : "", help ? help : "", gauge != 0);
  }
  MQGW_GUARD(UINT32_MAX)
}
void metricAdd(uint32_t id, int64_t d) { metrics::add(id, d); }

int connWrite(mqgw_conn* c, const void* data, size_t len) {
  try {
    return c->conn->write(c->layer, static_cast<const uint8_t*>(data), len);
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}
int connClose(mqgw_conn* c, int reason) {
  c->conn->close(reason);
  return MQGW_OK;
}
void connPause(mqgw_conn* c) { c->conn->pauseRead(); }
void connResume(mqgw_conn* c) { c->conn->resumeRead(); }
size_t connPending(mqgw_conn* c) { return c->conn->pendingOut(); }
void connIdle(mqgw_conn* c, uint64_t ms) { c->conn->setIdleTimeout(ms); }
int connSetPeerSubject(mqgw_conn* c, const char* subject) {
  try {
    c->conn->setPeerSubject(subject);
    return MQGW_OK;
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}
const mqgw_conn_info* connInfo(mqgw_conn* c) {
  try {
    return c->conn->info();
  }
  MQGW_GUARD(nullptr)
}
int connPushUp(mqgw_conn* c, const void* data, size_t len) {
  try {
    return c->conn->pushUp(c->layer, static_cast<const uint8_t*>(data), len);
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}
int connOpenUp(mqgw_conn* c) {
  try {
    return c->conn->openUp(c->layer);
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}

const mqgw_limits* hostLimits() { return &limits(); }

mqgw_message* messageCreate(const mqgw_message_view* v) {
  if (!v) return nullptr;
  // A plugin built against an older, shorter view: copy what it has, zero the rest.
  mqgw_message_view full{};
  std::memcpy(&full, v, std::min<size_t>(v->struct_size, sizeof full));
  return message::create(full);
}
mqgw_message* messageRestore(const mqgw_message_view* v) {
  if (!v) return nullptr;
  mqgw_message_view full{};
  std::memcpy(&full, v, std::min<size_t>(v->struct_size, sizeof full));
  return message::restore(full);
}
void messageRef(mqgw_message* m) { message::ref(m); }
void messageUnref(mqgw_message* m) { message::unref(m); }
const mqgw_message_view* messageView(const mqgw_message* m) { return &m->view; }

int sessionOpen(mqgw_conn* c, const mqgw_session_params* p, mqgw_session** out, int* present) {
  try {
    if (!c || !p || !out) return MQGW_E_INVAL;
    Connection* conn = c->conn;
    if (conn->session) return MQGW_E_INVAL;
    mqgw_session_params params{};
    const size_t given = std::min<size_t>(p->struct_size, sizeof params);
    std::memcpy(&params, p, given);
    // Admission: a console instance's credentials, or the development instance.
    std::string key;
    std::unique_ptr<tenancy::Tenant, tenancy::TenantDeleter> tenant;
    const char* reason = nullptr;
    if (int rc = tenancy::admit(params, &key, &tenant, &reason); rc != MQGW_OK) {
      if (given >= offsetof(mqgw_session_params, refusal_reason) + sizeof(const char*))
        const_cast<mqgw_session_params*>(p)->refusal_reason = reason;
      return rc;
    }
    params.client_id = {key.data(), key.size()};
    bool resumed = false;
    Session* s = conn->worker().router().openSession(conn, params, &resumed);
    s->tenant = std::move(tenant);
    conn->session = s;
    tenancy::statusEvent(*s, *conn, "connect");
    if (present) *present = resumed ? 1 : 0;
    *out = reinterpret_cast<mqgw_session*>(s);
    return MQGW_OK;
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}

Session* asSession(mqgw_session* s) { return reinterpret_cast<Session*>(s); }

void sessionClose(mqgw_session* handle) {
  Session* s = asSession(handle);
  if (!s) return;
  if (s->conn) {
    s->conn->session = nullptr;
    // The client's own DISCONNECT closes normally; anything else is a "tcpclean".
    tenancy::statusEvent(*s, *s->conn,
                         s->conn->closeReason() == MQGW_CLOSE_NORMAL ? "disconnect" : "tcpclean");
  }
  s->tenant.reset();  // the connection's slot in its instance; a detached session needs none
  Worker::current()->router().closeSession(s);
}

int subscribe(mqgw_session* s, mqgw_str filter, const mqgw_sub_options* o) {
  try {
    if (!s || !o || !router::validTopicFilter({filter.ptr, filter.len})) return MQGW_E_INVAL;
    if (!auth::subscribeAllowed({filter.ptr, filter.len})) return MQGW_E_DENIED;
    std::string internal;
    if (int rc = tenancy::checkSubscribe(*asSession(s), {filter.ptr, filter.len}, &internal))
      return rc;
    mqgw_sub_options opts{};
    std::memcpy(&opts, o, std::min<size_t>(o->struct_size, sizeof opts));
    return Worker::current()->router().subscribe(asSession(s), internal, opts,
                                                    /*fromSubscribePacket=*/true);
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}

int unsubscribe(mqgw_session* s, mqgw_str filter) {
  try {
    if (!s) return MQGW_E_INVAL;
    return Worker::current()->router().unsubscribe(
        asSession(s), tenancy::internalFilter(*asSession(s), {filter.ptr, filter.len}));
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}

int publish(mqgw_session* s, mqgw_message* msg, uint64_t cookie) {
  try {
    if (!s || !msg) return MQGW_E_INVAL;
    const mqgw_str topic = msg->view.topic;
    if (!auth::publishAllowed({topic.ptr, topic.len})) return MQGW_E_DENIED;  // not stored
    mqgw_message* stored = msg;  // or the console instance's internal copy, which we own
    if (int rc = tenancy::checkPublish(*asSession(s), &stored)) return rc;
    int rc = Gateway::get().storage().publish(asSession(s)->conn, stored, cookie);
    if (stored != msg) message::unref(stored);
    return rc;
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}

void storageFeed(mqgw_message* m) { Gateway::get().storage().feed(m); }
void storageHealth(int h) { Gateway::get().storage().healthChanged(h); }

// Clusters (ABI 1.1): called on the backend's threads.
void storageSessionClaimed(mqgw_str id, int take, uint64_t claim, uint64_t /*claimed_at_ms*/) {
  try {
    if (!id.ptr && id.len) return;
    Router::onClaimedElsewhere(std::string(id.ptr, id.len), take != 0, claim);
  } catch (...) {
  }
}
void storageFeedSession(uint64_t target, mqgw_message* m) {
  if (m) Gateway::get().storage().feedSession(target, m);
}
void storageFeedShared(mqgw_str group, mqgw_str filter, mqgw_message* m) {
  if (m && (group.ptr || !group.len) && (filter.ptr || !filter.len))
    Gateway::get().storage().feedShared(group, filter, m);
}

mqgw_str sessionClientId(const mqgw_session* s) {
  if (!s) return {"", 0};
  std::string_view id = tenancy::clientView(reinterpret_cast<const Session*>(s)->clientId);
  return {id.data(), id.size()};
}

int sessionPark(mqgw_session* s, const mqgw_parked* owed, uint32_t n, const uint16_t* ids,
                uint32_t nIds) {
  try {
    if (!s || (n && !owed) || (nIds && !ids)) return MQGW_E_INVAL;
    Worker::current()->router().parkSession(asSession(s), owed, n, ids, nIds);
    return MQGW_OK;
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}
void sessionResume(mqgw_session* s) {
  try {
    if (s) Worker::current()->router().resumeSession(asSession(s));
  } catch (...) {
  }
}
int sessionSetWill(mqgw_session* s, mqgw_message* will, uint32_t delayS) {
  try {
    if (!s || !will) return MQGW_E_INVAL;
    mqgw_message* kept = tenancy::internalWill(*asSession(s), will);
    if (!kept) return MQGW_E_DENIED;  // a topic the connection may not publish to: no will
    Worker::current()->router().setWill(asSession(s), kept, delayS);
    message::unref(kept);
    return MQGW_OK;
  }
  MQGW_GUARD(MQGW_E_NOMEM)
}
void sessionSetExpiry(mqgw_session* s, uint32_t expiryS) {
  if (s) Worker::current()->router().setExpiry(asSession(s), expiryS);
}

void messageSetPosition(mqgw_message* m, mqgw_position pos) {
  if (!m) return;
  m->pos = pos;
  m->hasPos = true;
}
void deliverySettled(mqgw_session* s, const mqgw_message* m) {
  if (s && m) Worker::current()->router().settle(asSession(s), m);
}
size_t messageEncode(const mqgw_message* m, uint8_t* out, size_t cap) {
  return m ? message::encodeRecord(m->view, out, cap) : 0;
}
mqgw_message* messageDecode(const uint8_t* data, size_t len) {
  try {
    return message::decodeRecord(data, len);
  } catch (...) {
    return nullptr;
  }
}

mqgw_str messageClientTopic(const mqgw_message* m) {
  if (!m) return {"", 0};
  std::string_view t = tenancy::clientView({m->view.topic.ptr, m->view.topic.len});
  return {t.data(), t.size()};
}

void storageMeta(mqgw_str key, const uint8_t* value, size_t len) {
  try {
    if (!key.ptr || (len && !value)) return;
    if (resources::Registry* r = tenancy::registry())
      r->applyReplicated({key.ptr, key.len},
                         {reinterpret_cast<const char*>(value), value ? len : 0});
  } catch (...) {
  }
}

int validName(mqgw_str t) { return router::validTopicName({t.ptr, t.len}) ? 1 : 0; }
int validFilter(mqgw_str f) { return router::validTopicFilter({f.ptr, f.len}) ? 1 : 0; }

const char* hostStrerror(int s) { return statusText(s); }
const char* hostErrName(int s) { return statusName(s); }

const mqgw_host_api kHost = {
    sizeof(mqgw_host_api), MQGW_ABI_VERSION,
    hostLog, hostStrerror, hostErrName,
    loopCount, currentLoop, postToLoop, timerStart, timerStop, nowMs,
    metricRegister, metricAdd,
    connWrite, connClose, connPause, connResume, connPending, connIdle, connInfo, connPushUp,
    connOpenUp,
    hostLimits,
    messageCreate, messageRef, messageUnref, messageView,
    sessionOpen, sessionClose, subscribe, unsubscribe, publish,
    storageFeed, storageHealth,
    validName, validFilter,
    sessionClientId,
    sessionPark, sessionResume, sessionSetWill, sessionSetExpiry,
    messageSetPosition, deliverySettled, messageEncode, messageDecode,
    auth::findMethod, auth::startExchange, auth::stepExchange, auth::finishExchange,
    messageRestore, storageSessionClaimed, storageFeedSession, storageFeedShared,
    connSetPeerSubject,
    messageClientTopic, storageMeta,
};

}  // namespace

const mqgw_host_api* hostApi() { return &kHost; }

const char* statusName(int s) {
  switch (s) {
    case MQGW_OK: return "MQGW_OK";
    case MQGW_E_INVAL: return "MQGW_E_INVAL";
    case MQGW_E_NOMEM: return "MQGW_E_NOMEM";
    case MQGW_E_PROTOCOL: return "MQGW_E_PROTOCOL";
    case MQGW_E_UNAVAILABLE: return "MQGW_E_UNAVAILABLE";
    case MQGW_E_TOO_LARGE: return "MQGW_E_TOO_LARGE";
    case MQGW_E_NOT_FOUND: return "MQGW_E_NOT_FOUND";
    case MQGW_E_DENIED: return "MQGW_E_DENIED";
    case MQGW_E_CLOSED: return "MQGW_E_CLOSED";
    case MQGW_E_AGAIN: return "MQGW_E_AGAIN";
    case MQGW_E_IO: return "MQGW_E_IO";
    case MQGW_E_UNSUPPORTED: return "MQGW_E_UNSUPPORTED";
    case MQGW_E_BAD_CLIENT_ID: return "MQGW_E_BAD_CLIENT_ID";
    case MQGW_E_BAD_CREDENTIALS: return "MQGW_E_BAD_CREDENTIALS";
    case MQGW_E_QUOTA: return "MQGW_E_QUOTA";
    case MQGW_DEFER: return "MQGW_DEFER";
    case MQGW_E_FATAL: return "MQGW_E_FATAL";
    default: return s <= MQGW_E_FATAL ? "MQGW_E_FATAL(other)" : "MQGW_E_UNKNOWN";
  }
}

const char* statusText(int s) {
  switch (s) {
    case MQGW_OK: return "ok";
    case MQGW_E_INVAL: return "invalid argument";
    case MQGW_E_NOMEM: return "out of memory";
    case MQGW_E_PROTOCOL: return "protocol error";
    case MQGW_E_UNAVAILABLE: return "unavailable";
    case MQGW_E_TOO_LARGE: return "too large";
    case MQGW_E_NOT_FOUND: return "not found";
    case MQGW_E_DENIED: return "denied";
    case MQGW_E_CLOSED: return "closed";
    case MQGW_E_AGAIN: return "try again";
    case MQGW_E_IO: return "I/O error";
    case MQGW_E_UNSUPPORTED: return "unsupported";
    case MQGW_E_BAD_CLIENT_ID: return "client identifier refused";
    case MQGW_E_BAD_CREDENTIALS: return "bad credentials";
    case MQGW_E_QUOTA: return "over the instance's limit";
    case MQGW_DEFER: return "deferred";
    default: return s <= MQGW_E_FATAL ? "fatal error" : "unknown error";
  }
}

}  // namespace mqgw
