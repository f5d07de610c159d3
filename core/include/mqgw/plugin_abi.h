/* mqgw plugin ABI: the only contract between the core and a shared-object plugin.
 *
 * Pure C. No C++ types, no exceptions cross this boundary. A plugin exports exactly one symbol,
 * MQGW_PLUGIN_ENTRY_SYMBOL, and hands back a descriptor. Every struct starts with (or carries) a
 * struct_size so either side can grow by appending fields (a minor version bump); removing or
 * reordering anything is a major bump. tests/plugin_abi/abi_hash_test.cc pins a hash of this file
 * and of host_api.h so that an accidental change fails CI. See docs/plugins/abi-policy.md.
 */
#ifndef MQGW_PLUGIN_ABI_H
#define MQGW_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MQGW_ABI_MAJOR 1
#define MQGW_ABI_MINOR 2
#define MQGW_ABI_VERSION ((uint32_t)((MQGW_ABI_MAJOR << 16) | MQGW_ABI_MINOR))
#define MQGW_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define MQGW_ABI_MINOR_OF(v) ((uint32_t)(v)&0xffffu)

/* Build signature: things that must match for objects to share memory safely. */
#if defined(__SANITIZE_ADDRESS__)
#define MQGW_SIG_ASAN "asan"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MQGW_SIG_ASAN "asan"
#endif
#endif
#ifndef MQGW_SIG_ASAN
#define MQGW_SIG_ASAN "plain"
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MQGW_SIG_ENDIAN "le"
#else
#define MQGW_SIG_ENDIAN "be"
#endif
#define MQGW_SIG_STR2(x) #x
#define MQGW_SIG_STR(x) MQGW_SIG_STR2(x)
#define MQGW_BUILD_SIG \
  "mqgw-abi1/ptr" MQGW_SIG_STR(__SIZEOF_POINTER__) "/" MQGW_SIG_ENDIAN "/" MQGW_SIG_ASAN

#define MQGW_PLUGIN_ENTRY_SYMBOL "mqgw_plugin_entry"

#if defined(__GNUC__)
#define MQGW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MQGW_PLUGIN_EXPORT
#endif

/* ---- return codes: 0 is OK, negative is an error (see mqgw_host_api.strerror) ---- */
typedef enum mqgw_status {
  MQGW_OK = 0,
  MQGW_E_INVAL = -1,       /* bad argument or bad config value */
  MQGW_E_NOMEM = -2,
  MQGW_E_PROTOCOL = -3,    /* peer violated its protocol; close the connection */
  MQGW_E_UNAVAILABLE = -4, /* a backend cannot serve now; retry later */
  MQGW_E_TOO_LARGE = -5,
  MQGW_E_NOT_FOUND = -6,
  MQGW_E_DENIED = -7,
  MQGW_E_CLOSED = -8,      /* the connection or session is gone */
  MQGW_E_AGAIN = -9,       /* queue full / would block: backpressure */
  MQGW_E_IO = -10,
  MQGW_E_UNSUPPORTED = -11,
  MQGW_E_BAD_CLIENT_ID = -12,   /* ABI 1.2: session_open: the Client ID is refused */
  MQGW_E_BAD_CREDENTIALS = -13, /* ABI 1.2: session_open: unknown key or wrong password */
  MQGW_E_QUOTA = -14,           /* ABI 1.2: over an instance's limit (connections, rate, subs) */
  MQGW_DEFER = -100,       /* not mine to decide: ask the next plugin */
  MQGW_E_FATAL = -900      /* below this: destroy the plugin instance */
} mqgw_status;

/* ---- plain data ---- */
typedef struct mqgw_str { /* not NUL-terminated; valid for the duration of the call unless stated */
  const char* ptr;
  size_t len;
} mqgw_str;

typedef struct mqgw_kv { /* one validated config value, dotted key, value as text */
  const char* key;
  const char* value;
} mqgw_kv;

typedef enum mqgw_log_level {
  MQGW_LOG_TRACE = 0,
  MQGW_LOG_DEBUG = 1,
  MQGW_LOG_INFO = 2,
  MQGW_LOG_WARN = 3,
  MQGW_LOG_ERROR = 4
} mqgw_log_level;

/* ---- config schema a plugin declares; the core validates and reports file:line:col ---- */
typedef enum mqgw_config_type {
  MQGW_CFG_BOOL = 1,
  MQGW_CFG_INT = 2,      /* 64-bit signed, range-checked against min/max */
  MQGW_CFG_DOUBLE = 3,
  MQGW_CFG_STRING = 4,
  MQGW_CFG_DURATION_MS = 5, /* "250ms", "30s", "5m", "1h" or a bare integer of ms */
  MQGW_CFG_SIZE = 6,     /* "64KiB", "10MB", or a bare integer of bytes */
  MQGW_CFG_FILE = 7,     /* a string naming an existing readable file */
  MQGW_CFG_PREFIX = 8,   /* key is a prefix like "rdkafka."; every key under it passes through */
  MQGW_CFG_ENUM = 9,     /* one of the '|'-separated words in enum_values */
  MQGW_CFG_DIR = 10      /* a directory path (the plugin creates it); relative to the config file */
} mqgw_config_type;

typedef struct mqgw_config_key {
  const char* key;           /* dotted path inside the plugin's section */
  uint32_t type;             /* mqgw_config_type */
  const char* default_value; /* text, or NULL when there is none */
  int required;              /* nonzero: must be present (default_value ignored) */
  double min, max;           /* INT/DOUBLE/DURATION/SIZE bounds, inclusive; min>max = unbounded */
  const char* enum_values;   /* MQGW_CFG_ENUM only, "a|b|c" */
  const char* help;
} mqgw_config_key;

/* ---- descriptor ---- */
typedef enum mqgw_plugin_kind {
  MQGW_KIND_TRANSPORT = 1, /* a byte-stream layer: tls, websocket */
  MQGW_KIND_FRONTEND = 2,  /* the top of a listener stack: mqtt, flash-policy */
  MQGW_KIND_STORAGE = 3,   /* where messages live: memory, native, kafka, amqp */
  MQGW_KIND_AUTH = 4       /* MQTT 5 enhanced authentication methods (mqgw_auth_ops) */
} mqgw_plugin_kind;

/* capability bits; the core ignores bits it does not know */
#define MQGW_CAP_TRANSPORT_SECURE (1ull << 0)   /* the layer authenticates/encrypts */
#define MQGW_CAP_FRONTEND_SNIFF (1ull << 8)     /* can recognise its protocol by prefix */
#define MQGW_CAP_STORAGE_DURABLE (1ull << 16)   /* append completes only once on stable storage */
#define MQGW_CAP_STORAGE_ORDERED (1ull << 17)   /* per-topic order kept */
#define MQGW_CAP_STORAGE_ASYNC_ACK (1ull << 18) /* append may complete later, on any thread */
#define MQGW_CAP_STORAGE_RETAIN (1ull << 19)    /* has a retained-message store */
#define MQGW_CAP_STORAGE_OWN_THREAD (1ull << 20)/* runs its own threads */
#define MQGW_CAP_STORAGE_FEEDS (1ull << 21)     /* delivers new messages via host->storage_feed */
#define MQGW_CAP_STORAGE_CLUSTER (1ull << 22)   /* shared by several gateway nodes (ABI 1.1) */

typedef struct mqgw_plugin_descriptor {
  uint32_t abi_version; /* MQGW_ABI_VERSION the plugin was built against */
  uint32_t struct_size; /* sizeof(mqgw_plugin_descriptor) as the plugin saw it */
  const char* name;     /* unique; the word used in config stacks and storage.backend */
  const char* version;  /* the plugin's own version, free text */
  const char* build_sig;/* MQGW_BUILD_SIG */
  uint32_t kind;        /* mqgw_plugin_kind */
  uint64_t caps;
  const mqgw_config_key* config_schema;
  uint32_t config_schema_len;
  const void* ops;      /* mqgw_transport_ops / _frontend_ops / _storage_ops / _auth_ops */
  uint32_t ops_size;    /* sizeof the ops struct as the plugin saw it */
  void* reserved[8];
} mqgw_plugin_descriptor;

struct mqgw_host_api;

/* The one exported symbol. Returns MQGW_OK and sets *out, or a negative mqgw_status.
 * host stays valid until the plugin is unloaded. */
typedef int (*mqgw_plugin_entry_fn)(uint32_t host_abi, const struct mqgw_host_api* host,
                                    const mqgw_plugin_descriptor** out);

#ifdef __cplusplus
}
#endif

#include "mqgw/host_api.h"

#endif /* MQGW_PLUGIN_ABI_H */
