/* mqgw host API and plugin ops tables. Included by plugin_abi.h; pure C.
 *
 * Threading rules, in one place:
 *  - A connection lives on one loop (worker thread). Every ops callback about a connection runs on
 *    that loop, and the conn_* host calls must be made from it.
 *  - post_to_loop and metric_add are safe from any thread.
 *  - Storage append callbacks may be called from any thread; the core hops back to the right loop.
 * Ownership: "_host_ptr" objects belong to the core, the plugin must not free them. A plugin
 * state pointer (void*) belongs to the plugin and is freed in its close/destroy hook.
 */
#ifndef MQGW_HOST_API_H
#define MQGW_HOST_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mqgw_conn mqgw_conn;       /* one layer of one connection (host ptr) */
typedef struct mqgw_session mqgw_session; /* a client session in the core (host ptr) */
typedef struct mqgw_message mqgw_message; /* immutable, refcounted (host ptr) */
typedef struct mqgw_timer mqgw_timer;     /* loop timer (host ptr) */

/* ---- messages: the domain's unit; no wire format ---- */
typedef struct mqgw_user_prop {
  mqgw_str key;
  mqgw_str value;
} mqgw_user_prop;

typedef struct mqgw_message_view {
  uint32_t struct_size;
  mqgw_str topic;
  mqgw_str payload;
  uint8_t qos;            /* as published: 0, 1, 2 */
  uint8_t retain;
  uint8_t payload_format; /* MQTT 5 Payload Format Indicator, 0 = bytes */
  uint8_t has_expiry;     /* expiry_interval_s is set */
  uint32_t expiry_interval_s;
  mqgw_str content_type;
  mqgw_str response_topic;
  mqgw_str correlation_data;
  const mqgw_user_prop* user_props;
  uint32_t user_prop_count;
  mqgw_str publisher_id;  /* Client ID of the publisher, empty for server-side sends */
  uint64_t created_ms;    /* wall clock, set by the core */
  uint8_t id[16];         /* unique, time-sortable message ID, set by the core */
} mqgw_message_view;

/* ---- connections ---- */
typedef struct mqgw_conn_info {
  uint32_t struct_size;
  const char* listener; /* the listener's name from config */
  const char* peer;     /* "ip:port" */
  uint32_t loop;        /* index of the worker loop that owns the connection */
  int secure;           /* a layer below has MQGW_CAP_TRANSPORT_SECURE */
  uint64_t id;          /* unique per process */
  /* ABI 1.1: the subject of the client certificate a transport verified (tls with
   * client_ca), as an X.509 DN string ("CN=dev1, O=..."); NULL when none */
  const char* peer_subject;
} mqgw_conn_info;

/* close reasons handed to on_close */
typedef enum mqgw_close_reason {
  MQGW_CLOSE_NORMAL = 0,      /* the plugin or the peer closed cleanly */
  MQGW_CLOSE_PEER_RESET = 1,  /* EOF or read error */
  MQGW_CLOSE_TIMEOUT = 2,     /* idle timeout */
  MQGW_CLOSE_PROTOCOL = 3,    /* a layer reported a protocol error */
  MQGW_CLOSE_SHUTDOWN = 4,    /* the gateway is stopping */
  MQGW_CLOSE_TAKEOVER = 5,    /* another connection took the session */
  MQGW_CLOSE_OVERFLOW = 6,    /* outbound queue bound exceeded */
  MQGW_CLOSE_ADMIN = 7        /* ABI 1.2: an operator's action (the instance became unusable) */
} mqgw_close_reason;

/* ---- router ---- */
typedef struct mqgw_session_params {
  uint32_t struct_size;
  mqgw_str client_id;
  int clean_start;
  uint32_t expiry_interval_s;
  /* ABI 1.2: the CONNECT's credentials, for the core's admission (the console's AccessKey
   * modes); session_open then fails with MQGW_E_BAD_CLIENT_ID, MQGW_E_BAD_CREDENTIALS,
   * MQGW_E_DENIED, MQGW_E_QUOTA or MQGW_E_UNAVAILABLE and sets refusal_reason (out: static
   * or thread-local text, valid until the next host call on this loop; NULL when none). */
  mqgw_str username;
  mqgw_str password;
  uint8_t has_username;
  uint8_t has_password;
  const char* refusal_reason;
} mqgw_session_params;

typedef struct mqgw_sub_options {
  uint32_t struct_size;
  uint8_t qos;                 /* maximum QoS requested */
  uint8_t no_local;
  uint8_t retain_as_published;
  uint8_t retain_handling;
  uint32_t subscription_id;    /* 0 = none */
} mqgw_sub_options;

typedef struct mqgw_delivery {
  uint32_t struct_size;
  uint8_t qos;                 /* min(published, granted) */
  uint8_t retain;              /* the RETAIN flag to send */
  uint32_t subscription_id;    /* the first of subscription_ids, 0 = none */
  /* every matching subscription's identifier (MQTT 5 3.3.4-3), none = count 0 */
  const uint32_t* subscription_ids;
  uint32_t subscription_id_count;
} mqgw_delivery;

/* A delivery a persistent session still owes its client, handed to the core when the
 * connection ends (host->session_park) and back to the frontend when it resumes (on_resume). */
typedef enum mqgw_parked_state {
  MQGW_PARKED_SENT = 0,     /* PUBLISH sent, no PUBACK/PUBREC yet: resend with DUP */
  MQGW_PARKED_RELEASED = 1, /* QoS 2: PUBREC received, PUBREL sent: resend PUBREL */
  MQGW_PARKED_QUEUED = 2    /* never sent (waited for the in-flight window) */
} mqgw_parked_state;

typedef struct mqgw_parked {
  uint32_t struct_size;
  mqgw_message* msg;        /* the core takes its own reference when parking */
  uint8_t qos;
  uint8_t retain;
  uint8_t state;            /* mqgw_parked_state */
  uint16_t packet_id;       /* 0 for MQGW_PARKED_QUEUED */
  uint32_t subscription_id;
} mqgw_parked;

/* ---- durable state (storage backends) ---- */
/* A stored message's place in its backend: offsets grow in feed order within a partition.
 * The native backend has one partition (0); a Kafka backend uses the Kafka partition. */
typedef struct mqgw_position {
  uint32_t partition;
  uint64_t offset;
} mqgw_position;

/* Where a persistent session's replay starts after a restart, per partition. A session with
 * nothing outstanding (n == 0) follows the node floor instead. */
typedef struct mqgw_cursor {
  mqgw_str client_id;
  const mqgw_position* next; /* the first position not yet settled, per partition */
  uint32_t n;
} mqgw_cursor;

/* What a backend hands back at start (storage ops `load`), on the calling thread. */
typedef struct mqgw_load_visitor {
  uint32_t struct_size;
  void* arg;
  /* a session record as the core stored it (session_put) and its last cursor (n may be 0) */
  void (*session)(void* arg, mqgw_str client_id, const uint8_t* state, size_t len,
                  const mqgw_position* next, uint32_t n);
  /* the node floor last stored with cursors_put, per partition */
  void (*floor)(void* arg, mqgw_position floor);
  /* a retained message; the core takes its own reference */
  void (*retained)(void* arg, mqgw_message* msg);
} mqgw_load_visitor;

typedef enum mqgw_health {
  MQGW_HEALTH_READY = 0,
  MQGW_HEALTH_DEGRADED = 1,
  MQGW_HEALTH_UNAVAILABLE = 2
} mqgw_health;

typedef struct mqgw_limits {
  uint32_t struct_size;
  uint32_t max_packet_size;      /* bytes */
  uint32_t keepalive_min_s;
  uint32_t keepalive_max_s;
  uint64_t max_outbound_bytes;   /* per connection */
  uint32_t max_inflight;         /* unacknowledged outbound QoS>0 messages per session */
} mqgw_limits;

/* completion of a storage append; may be called on any thread */
typedef void (*mqgw_append_cb)(void* arg, int status);

/* ---- clusters: several gateway nodes on one backend (ABI 1.1, MQGW_CAP_STORAGE_CLUSTER) ----
 * The answer to storage op session_claim, called once from any thread: status MQGW_OK with the
 * state and cursor the session's previous node released (or last stored, if that node did not
 * answer in time), or MQGW_E_NOT_FOUND when no stored session is left. With n == 0 the session
 * owed nothing: it starts at this node's live position. */
typedef void (*mqgw_claim_cb)(void* arg, int status, const uint8_t* state, size_t len,
                              const mqgw_position* next, uint32_t n);
/* the end of an asynchronous storage op (session_replay), called once from any thread */
typedef void (*mqgw_done_cb)(void* arg, int status);

/* ---- ops tables a plugin implements (mqgw_on_* hooks) ---- */
typedef struct mqgw_transport_ops {
  uint32_t struct_size;
  int (*create)(const mqgw_kv* cfg, size_t n, void** instance); /* once per listener layer */
  void (*destroy)(void* instance);
  /* a connection reached this layer from below; conn is this layer's handle */
  int (*on_open)(void* instance, mqgw_conn* conn, void** state);
  /* bytes from below; pass plaintext up with host->conn_push_up, replies with conn_write */
  int (*on_read)(void* state, const uint8_t* data, size_t len);
  /* bytes from the layer above; transform and send them on down with host->conn_write */
  int (*on_write)(void* state, const uint8_t* data, size_t len);
  /* the layer above asked to close: send a goodbye (close_notify, close frame) if any */
  void (*on_shutdown)(void* state, int reason);
  void (*on_close)(void* state, int reason); /* free state */
  void* reserved[4];
} mqgw_transport_ops;

typedef struct mqgw_frontend_ops {
  uint32_t struct_size;
  int (*create)(const mqgw_kv* cfg, size_t n, void** instance); /* once per listener */
  void (*destroy)(void* instance);
  int (*on_open)(void* instance, mqgw_conn* conn, void** state);
  /* returns bytes consumed (0..len) or a negative mqgw_status to close; the core keeps the
   * unconsumed tail and presents it again, followed by new bytes */
  long (*on_data)(void* state, const uint8_t* data, size_t len);
  void (*on_close)(void* state, int reason); /* free state; conn is invalid after this */
  void (*on_drain)(void* state);             /* outbound bytes fell below the low watermark */
  void (*on_timeout)(void* state);           /* idle timeout; core closes after this returns */
  /* a message for the session attached to this connection; take a ref to keep msg */
  int (*on_deliver)(void* state, mqgw_message* msg, const mqgw_delivery* d);
  /* a publish with a cookie finished: status 0 = stored, else an mqgw_status */
  void (*on_publish_done)(void* state, uint64_t cookie, int status);
  /* the session is being taken over or the gateway stops; reply and close */
  void (*on_kick)(void* state, int reason);
  /* a resumed persistent session: what it still owed its client (after host->session_resume,
   * before any queued message arrives through on_deliver); the frontend takes its own refs */
  void (*on_resume)(void* state, const mqgw_parked* owed, uint32_t n,
                    const uint16_t* qos2_inbound_ids, uint32_t n_ids);
  void* reserved[7];
} mqgw_frontend_ops;

typedef struct mqgw_storage_ops {
  uint32_t struct_size;
  int (*create)(const mqgw_kv* cfg, size_t n, void** backend);
  int (*start)(void* backend);   /* loops are running; spawn threads here */
  void (*stop)(void* backend);   /* flush, stop threads; appends after this fail */
  void (*destroy)(void* backend);
  /* store msg; call cb exactly once, synchronously or later from any thread.
   * Take a ref (host->message_ref) if msg is kept past the call. */
  int (*append)(void* backend, mqgw_message* msg, mqgw_append_cb cb, void* cb_arg);
  int (*health)(void* backend);  /* mqgw_health */
  /* Durable state (docs/plugins/storage.md). A backend that keeps nothing across restarts
   * leaves all five NULL; then sessions and retained messages live in gateway memory only.
   * A backend that sets them must also feed (MQGW_CAP_STORAGE_FEEDS) every stored message in
   * position order, with host->message_set_position called before the feed.
   * load: once, after start and before any connection: every stored session, the node floors
   * and the retained messages (the last retained append per topic; an empty payload clears). */
  int (*load)(void* backend, const mqgw_load_visitor* v);
  /* once, after load: feed every stored message at or after from[] (per partition; a
   * partition not named starts at its beginning) through host->storage_feed, then return */
  int (*replay)(void* backend, const mqgw_position* from, uint32_t n);
  /* a persistent session's state (an opaque record the core encodes); put replaces */
  int (*session_put)(void* backend, mqgw_str client_id, const uint8_t* state, size_t len);
  int (*session_delete)(void* backend, mqgw_str client_id);
  /* a batch of session cursors and the node floors (the positions before which every
   * session without a cursor has settled everything); later batches supersede earlier ones */
  int (*cursors_put)(void* backend, const mqgw_cursor* c, uint32_t n,
                     const mqgw_position* floors, uint32_t n_floors);
  void* reserved[3];
  /* ABI 1.1 — clusters (docs/plugins/storage.md "Several nodes"). A backend that several
   * gateway nodes share sets all five and MQGW_CAP_STORAGE_CLUSTER; a message then reaches a
   * node's subscribers only through its feeds, and $share groups only through
   * host->storage_feed_shared. */
  /* A client connected to this node: every other node must close its connection with that
   * Client ID (they learn it through host->storage_session_claimed). take_state: the client
   * resumes its session; returns 1 when some node holds or stored one — cb then follows once —
   * and MQGW_OK (0) when there is none (cb is not called). Negative: not announced. */
  int (*session_claim)(void* backend, mqgw_str client_id, int take_state, mqgw_claim_cb cb,
                       void* cb_arg);
  /* The answer to host->storage_session_claimed with take_state: the session's final state and
   * cursor (n == 0 and len == 0: this node does not hold it). The claiming node owns it now. */
  int (*session_release)(void* backend, uint64_t claim, mqgw_str client_id,
                         const uint8_t* state, size_t len, const mqgw_position* next,
                         uint32_t n);
  /* Feed the stored messages at positions [from, to) of each partition named (to == UINT64_MAX:
   * up to where this node's live feed began) through host->storage_feed_session(target, ...),
   * then call done once. Runs beside the live feed, on the backend's threads. */
  int (*session_replay)(void* backend, const mqgw_position* from, const mqgw_position* to,
                        uint32_t n, uint64_t target, mqgw_done_cb done, void* done_arg);
  /* The first member of a $share group on this node joined / the last one left. In between,
   * the backend hands this node its part of the group's messages (host->storage_feed_shared);
   * the nodes of a group split them, each message to one node. */
  int (*share_join)(void* backend, mqgw_str group, mqgw_str filter);
  int (*share_leave)(void* backend, mqgw_str group, mqgw_str filter);
  /* ABI 1.2 — the console's metadata shared by the nodes of a cluster (a backend with
   * MQGW_CAP_STORAGE_CLUSTER may set it; docs/decisions/0006-console-instances.md). Stores one
   * record, the latest per key winning (len 0: the key is deleted), and hands every record of
   * every node — this node's own too, in one order for all nodes — to host->storage_meta. */
  int (*meta_put)(void* backend, mqgw_str key, const uint8_t* value, size_t len);
} mqgw_storage_ops;

/* ---- enhanced authentication (MQTT 5 4.12): the ops of an auth plugin ----
 * An auth plugin serves one or more Authentication Methods. For each CONNECT (and each AUTH
 * 0x19 re-authentication) that names one, the frontend runs an exchange: start, then one step
 * per AUTH 0x18 from the client, then finish. All calls about one exchange come from the
 * connection's loop, one at a time; different exchanges run on different loops at once, so the
 * instance must be read-only after create (or lock). Replies are synchronous: the plugin decides
 * before it returns (a verifier that waits on the network blocks that loop meanwhile). */
typedef struct mqgw_auth mqgw_auth;                   /* an enabled method (host ptr) */
typedef struct mqgw_auth_exchange mqgw_auth_exchange; /* one running exchange (host ptr) */

typedef enum mqgw_auth_result {
  MQGW_AUTH_CONTINUE = 0, /* send AUTH 0x18 Continue authentication carrying data */
  MQGW_AUTH_SUCCESS = 1,  /* CONNACK 0x00 (re-authentication: AUTH 0x00), data optional */
  MQGW_AUTH_FAIL = 2      /* CONNACK reason_code (re-authentication: DISCONNECT), then close */
} mqgw_auth_result;

typedef struct mqgw_auth_request {
  uint32_t struct_size;
  mqgw_str method;    /* the Authentication Method as the client sent it */
  mqgw_str data;      /* its Authentication Data; len 0 when absent */
  mqgw_str client_id; /* as in CONNECT (empty: the server assigns one after success) */
  mqgw_str username;  /* User Name, when has_username */
  mqgw_str password;  /* Password (binary), when has_password */
  uint8_t has_username;
  uint8_t has_password;
  uint8_t secure;     /* a transport below has MQGW_CAP_TRANSPORT_SECURE */
  uint8_t reauth;     /* nonzero: AUTH 0x19 from a connected client (no username/password) */
  const char* peer;   /* "ip:port" */
  const char* peer_subject; /* ABI 1.1: mqgw_conn_info.peer_subject, NULL when none */
} mqgw_auth_request;

/* Filled by the plugin; the host zeroes it and sets struct_size before each call, and the
 * plugin writes only the fields that fit in struct_size. data and reason must stay valid until
 * the next call about the same exchange (keep them in the exchange) or, without an exchange,
 * until the instance is destroyed. */
typedef struct mqgw_auth_reply {
  uint32_t struct_size;
  uint32_t result;     /* mqgw_auth_result */
  mqgw_str data;       /* Authentication Data to send; ptr NULL = none */
  uint8_t reason_code; /* FAIL: 0x87 Not authorized (also for 0 and for a code the packet cannot
                        * carry), 0x8C Bad authentication method, or another code >= 0x80 */
  mqgw_str reason;     /* FAIL: optional Reason String (UTF-8) */
} mqgw_auth_reply;

typedef struct mqgw_auth_ops {
  uint32_t struct_size;
  /* once, with the settings of the config's auth.<plugin name> section */
  int (*create)(const mqgw_kv* cfg, size_t n, void** instance);
  void (*destroy)(void* instance);
  /* the Authentication Methods served, NULL-terminated; NULL = one, the descriptor's name.
   * Method names are case-sensitive; two plugins may not serve the same one. */
  const char* const* methods;
  /* a CONNECT or AUTH 0x19 named one of the methods. Returns MQGW_OK with *out filled, or a
   * negative mqgw_status (the client is refused with 0x80 Unspecified error). *exchange (NULL
   * on entry) is the plugin's state for step; finish is called for it exactly once, also
   * when the connection ends mid-exchange. */
  int (*start)(void* instance, const mqgw_auth_request* req, void** exchange,
               mqgw_auth_reply* out);
  /* the client's AUTH 0x18 and its Authentication Data (len 0 when absent) */
  int (*step)(void* exchange, const uint8_t* data, size_t len, mqgw_auth_reply* out);
  void (*finish)(void* exchange); /* free the exchange; NULL is never passed */
  void* reserved[6];
} mqgw_auth_ops;

/* ---- the host API the core hands to every plugin (mqgw_host_* functions) ----
 * Append-only: new members go at the end, with a minor version bump. */
typedef struct mqgw_host_api {
  uint32_t struct_size;
  uint32_t abi_version;

  /* diagnostics */
  void (*log)(int level, const char* plugin, const char* fmt, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 3, 4)))
#endif
      ;
  const char* (*strerror)(int status);
  const char* (*err_name)(int status);

  /* loops and time */
  uint32_t (*loop_count)(void);
  int32_t (*current_loop)(void); /* -1 when not on a worker loop */
  int (*post_to_loop)(uint32_t loop, void (*fn)(void*), void* arg); /* any thread */
  mqgw_timer* (*timer_start)(uint64_t timeout_ms, uint64_t repeat_ms, void (*cb)(void*),
                             void* arg); /* on the current loop */
  void (*timer_stop)(mqgw_timer* timer); /* also frees it */
  uint64_t (*now_ms)(void);              /* monotonic, the loop's cached time */

  /* metrics: counters and gauges, sharded per thread, lock-free */
  uint32_t (*metric_register)(const char* name, const char* help, int is_gauge);
  void (*metric_add)(uint32_t id, int64_t delta);

  /* connections (the calling layer's handle) */
  int (*conn_write)(mqgw_conn* conn, const void* data, size_t len); /* send toward the peer */
  int (*conn_close)(mqgw_conn* conn, int reason);                   /* flush, then close */
  void (*conn_pause_read)(mqgw_conn* conn);
  void (*conn_resume_read)(mqgw_conn* conn);
  size_t (*conn_pending_out)(mqgw_conn* conn);
  void (*conn_set_idle_timeout)(mqgw_conn* conn, uint64_t ms); /* 0 = none; reset by reads */
  const mqgw_conn_info* (*conn_info)(mqgw_conn* conn);
  int (*conn_push_up)(mqgw_conn* conn, const void* data, size_t len); /* transports only */
  int (*conn_open_up)(mqgw_conn* conn); /* transports: handshake done, open the layer above */

  const mqgw_limits* (*limits)(void);

  /* messages */
  mqgw_message* (*message_create)(const mqgw_message_view* view); /* copies; refcount 1 */
  void (*message_ref)(mqgw_message* msg);
  void (*message_unref)(mqgw_message* msg);
  const mqgw_message_view* (*message_view)(const mqgw_message* msg);

  /* sessions and routing (frontends) */
  int (*session_open)(mqgw_conn* conn, const mqgw_session_params* p, mqgw_session** out,
                      int* session_present);
  void (*session_close)(mqgw_session* s); /* the connection ends; a clean session is dropped */
  int (*subscribe)(mqgw_session* s, mqgw_str filter, const mqgw_sub_options* o); /* >=0: QoS */
  int (*unsubscribe)(mqgw_session* s, mqgw_str filter); /* MQGW_E_NOT_FOUND if none */
  /* store and route msg (the core takes its own ref). cookie != 0 asks for on_publish_done */
  int (*publish)(mqgw_session* s, mqgw_message* msg, uint64_t cookie);

  /* storage backends → core */
  void (*storage_feed)(mqgw_message* msg);      /* a stored message to route (FEEDS cap) */
  void (*storage_health_changed)(int health);   /* mqgw_health */

  /* topic helpers shared by every frontend */
  int (*topic_valid_name)(mqgw_str topic);
  int (*topic_valid_filter)(mqgw_str filter);

  /* the session's Client ID, owned by the core (frontends need not keep a copy) */
  mqgw_str (*session_client_id)(const mqgw_session* s);

  /* persistent sessions (frontends) */
  /* before session_close: what the session still owes its client, and the QoS 2 packet ids
   * received but not yet released; the core keeps them while the session lives */
  int (*session_park)(mqgw_session* s, const mqgw_parked* owed, uint32_t n,
                      const uint16_t* qos2_inbound_ids, uint32_t n_ids);
  /* after CONNACK of a resumed session: the core calls on_resume, then delivers what was
   * queued while the client was away, in order */
  void (*session_resume)(mqgw_session* s);
  /* a will to publish once delay_s has passed or the session ends, whichever is first, unless
   * the session resumes before; the core takes a reference */
  int (*session_set_will)(mqgw_session* s, mqgw_message* will, uint32_t delay_s);
  /* MQTT 5 DISCONNECT may change the Session Expiry Interval */
  void (*session_set_expiry)(mqgw_session* s, uint32_t expiry_interval_s);

  /* durable state */
  /* storage: a message's place in the backend, set once before it is fed */
  void (*message_set_position)(mqgw_message* msg, mqgw_position pos);
  /* frontends: the client took delivery of msg for good (PUBACK, PUBREC) or the frontend
   * dropped it for good (expired); lets a persistent session's cursor move past it */
  void (*delivery_settled)(mqgw_session* s, const mqgw_message* msg);
  /* storage: the core's stable binary record of a message (docs/plugins/storage.md);
   * returns the size needed, writing only when it fits in cap */
  size_t (*message_encode)(const mqgw_message* msg, uint8_t* out, size_t cap);
  /* NULL when the bytes are not a valid record; refcount 1 */
  mqgw_message* (*message_decode)(const uint8_t* data, size_t len);

  /* enhanced authentication (frontends), on the connection's loop */
  /* the enabled auth plugin serving `method`, or NULL (refuse with 0x8C) */
  const mqgw_auth* (*auth_find)(mqgw_str method);
  /* runs the plugin's start; *ex is set when MQGW_OK is returned (the reply is then valid) */
  int (*auth_start)(const mqgw_auth* a, const mqgw_auth_request* req, mqgw_auth_exchange** ex,
                    mqgw_auth_reply* out);
  int (*auth_step)(mqgw_auth_exchange* ex, const uint8_t* data, size_t len,
                   mqgw_auth_reply* out);
  /* ends an exchange from auth_start (the plugin's finish runs); the reply is invalid after */
  void (*auth_finish)(mqgw_auth_exchange* ex);

  /* ABI 1.1 */
  /* storage: message_create keeping the view's id and created_ms (a message read back) */
  mqgw_message* (*message_restore)(const mqgw_message_view* view);
  /* clusters (storage backends with MQGW_CAP_STORAGE_CLUSTER), any thread */
  /* another node claimed client_id at claimed_at_ms (its wall clock, for logs): the local
   * connection with that Client ID is closed (takeover); with take_state the core answers with
   * storage op session_release(claim, ...) — also when it does not hold the session. Report
   * only claims newer than this node's own latest claim of that Client ID, by the backend's
   * order (Kafka: the control topic's), never by clocks. */
  void (*storage_session_claimed)(mqgw_str client_id, int take_state, uint64_t claim,
                                  uint64_t claimed_at_ms);
  /* a message of a session_replay, for its target session only */
  void (*storage_feed_session)(uint64_t target, mqgw_message* msg);
  /* a message this node took for the $share group (share_join): one local member gets it */
  void (*storage_feed_shared)(mqgw_str group, mqgw_str filter, mqgw_message* msg);
  /* transports: the verified client certificate's subject (copied), for conn_info and auth */
  int (*conn_set_peer_subject)(mqgw_conn* conn, const char* subject);

  /* ABI 1.2 */
  /* frontends: the topic name to send a client for msg. Inside the core a message of a console
   * instance carries its instance in its topic ("$i/<InstanceId>/<topic>"); clients never see
   * that part. Storage backends keep using message_view's topic. */
  mqgw_str (*message_client_topic)(const mqgw_message* msg);
  /* storage (clusters): a metadata record from the backend's shared store (storage op
   * meta_put), any thread; every stored record once at start (before load returns), then each
   * change as it arrives; len 0 = deleted */
  void (*storage_meta)(mqgw_str key, const uint8_t* value, size_t len);
} mqgw_host_api;

#ifdef __cplusplus
}
#endif

#endif /* MQGW_HOST_API_H */
