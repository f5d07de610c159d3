/* mqgw device demo in C (libmosquitto for MQTT, mbedTLS for HMAC-SHA1 and Base64).
 *
 * Logs in with the Signature mode, subscribes to <parent>/#, publishes one message to
 * <parent>/<DeviceID> and waits for it to come back. Prints `received <topic> <payload>` and
 * exits 0; exits 1 with a message on stderr when the login, subscription or delivery fails or
 * nothing arrives within 10 seconds. Settings come from the environment (see README.md):
 *
 *   MQGW_HOST MQGW_PORT MQGW_INSTANCE_ID MQGW_ACCESS_KEY_ID MQGW_ACCESS_KEY_SECRET
 *   MQGW_GROUP_ID MQGW_DEVICE_ID MQGW_TOPIC
 *
 * Build: cc -std=c11 -Wall -Wextra -O2 device.c -o device -lmosquitto -lmbedcrypto
 */
#define _POSIX_C_SOURCE 200809L

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mosquitto.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMEOUT_SECONDS 10
#define TEXT_MAX 256 /* topics, IDs: the product allows far less than this */

struct device {
  char client_id[TEXT_MAX];
  char filter[TEXT_MAX];
  char topic[TEXT_MAX];
  char payload[TEXT_MAX + 16];
  char error[3 * TEXT_MAX]; /* empty while all is well */
  char line[2 * TEXT_MAX + 16]; /* "received <topic> <payload>", from the message that came back */
  int received;
};

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("device: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

/* The variable's value; exits with its name when it is unset and has no default. */
static const char *setting(const char *name, const char *fallback) {
  const char *value = getenv(name);
  if (value != NULL && value[0] != '\0') return value;
  if (fallback == NULL) die("missing environment variable %s", name);
  return fallback;
}

/* Base64(HMAC-SHA1(AccessKeySecret, Client ID)): the Signature mode's password. */
static void signature_password(const char *secret, const char *client_id, char *out, size_t size) {
  unsigned char digest[20];
  size_t written = 0;
  const mbedtls_md_info_t *sha1 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
  if (sha1 == NULL ||
      mbedtls_md_hmac(sha1, (const unsigned char *)secret, strlen(secret),
                      (const unsigned char *)client_id, strlen(client_id), digest) != 0 ||
      mbedtls_base64_encode((unsigned char *)out, size, &written, digest, sizeof digest) != 0) {
    die("cannot compute the HMAC-SHA1 password");
  }
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc) {
  struct device *d = userdata;
  if (rc != 0) {
    snprintf(d->error, sizeof d->error,
             "%s (CONNACK %d); check the AccessKey, its secret, the instance"
             " and the Group ID", mosquitto_connack_string(rc), rc);
    return;
  }
  if (mosquitto_subscribe(mosq, NULL, d->filter, 1) != MOSQ_ERR_SUCCESS) {
    snprintf(d->error, sizeof d->error, "cannot send SUBSCRIBE");
  }
}

static void on_subscribe(struct mosquitto *mosq, void *userdata, int mid, int count,
                         const int *granted) {
  struct device *d = userdata;
  (void)mid;
  for (int i = 0; i < count; i++) {
    if (granted[i] >= 0x80) {
      snprintf(d->error, sizeof d->error,
               "subscription to %s refused (is its first level a parent topic of the instance?)",
               d->filter);
      return;
    }
  }
  if (mosquitto_publish(mosq, NULL, d->topic, (int)strlen(d->payload), d->payload, 1, false) !=
      MOSQ_ERR_SUCCESS) {
    snprintf(d->error, sizeof d->error, "cannot send PUBLISH");
  }
}

static void on_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *m) {
  struct device *d = userdata;
  (void)mosq;
  size_t length = strlen(d->payload);
  if (strcmp(m->topic, d->topic) == 0 && (size_t)m->payloadlen == length &&
      memcmp(m->payload, d->payload, length) == 0) {
    snprintf(d->line, sizeof d->line, "received %s %.*s", m->topic, m->payloadlen,
             (const char *)m->payload);
    d->received = 1;
  }
}

static void on_disconnect(struct mosquitto *mosq, void *userdata, int rc) {
  struct device *d = userdata;
  (void)mosq;
  if (!d->received && d->error[0] == '\0') {
    snprintf(d->error, sizeof d->error,
             "the gateway closed the connection (%s; login refused?)", mosquitto_strerror(rc));
  }
}

/* Runs the network loop until the message is back, an error shows, or the deadline passes. */
static void run(struct mosquitto *mosq, struct device *d) {
  time_t deadline = time(NULL) + TIMEOUT_SECONDS;
  while (!d->received && d->error[0] == '\0' && time(NULL) < deadline) {
    int rc = mosquitto_loop(mosq, 200, 1);
    if (rc != MOSQ_ERR_SUCCESS && !d->received && d->error[0] == '\0') {
      snprintf(d->error, sizeof d->error, "connection lost: %s", mosquitto_strerror(rc));
    }
  }
  if (!d->received && d->error[0] == '\0') {
    snprintf(d->error, sizeof d->error, "no message back on %s within %d s", d->topic,
             TIMEOUT_SECONDS);
  }
}

int main(void) {
  const char *host = setting("MQGW_HOST", "127.0.0.1");
  int port = atoi(setting("MQGW_PORT", "1883"));
  const char *instance_id = setting("MQGW_INSTANCE_ID", NULL);
  const char *access_key_id = setting("MQGW_ACCESS_KEY_ID", NULL);
  const char *secret = setting("MQGW_ACCESS_KEY_SECRET", NULL);
  const char *group_id = setting("MQGW_GROUP_ID", NULL);
  const char *device_id = setting("MQGW_DEVICE_ID", NULL);
  const char *parent = setting("MQGW_TOPIC", NULL);

  if (strlen(group_id) + strlen(device_id) + strlen(parent) + strlen(access_key_id) +
          strlen(instance_id) > TEXT_MAX - 16) {
    die("the IDs and the topic are too long for this demo");
  }
  struct device d = {0};
  char username[TEXT_MAX];
  char password[64];
  snprintf(d.client_id, sizeof d.client_id, "%s@@@%s", group_id, device_id);
  snprintf(d.filter, sizeof d.filter, "%s/#", parent);
  snprintf(d.topic, sizeof d.topic, "%s/%s", parent, device_id);
  snprintf(d.payload, sizeof d.payload, "hello from %s", d.client_id);
  snprintf(username, sizeof username, "Signature|%s|%s", access_key_id, instance_id);
  signature_password(secret, d.client_id, password, sizeof password);

  mosquitto_lib_init();
  struct mosquitto *mosq = mosquitto_new(d.client_id, true, &d);
  if (mosq == NULL) die("cannot create the MQTT client");
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_username_pw_set(mosq, username, password);
  mosquitto_connect_callback_set(mosq, on_connect);
  mosquitto_subscribe_callback_set(mosq, on_subscribe);
  mosquitto_message_callback_set(mosq, on_message);
  mosquitto_disconnect_callback_set(mosq, on_disconnect);

  int rc = mosquitto_connect(mosq, host, port, 30);
  if (rc != MOSQ_ERR_SUCCESS) {
    die("cannot connect to %s:%d: %s", host, port,
        rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
  }
  run(mosq, &d);
  if (d.received) {
    puts(d.line);
    mosquitto_disconnect(mosq);
  }
  mosquitto_destroy(mosq);
  mosquitto_lib_cleanup();
  if (!d.received) die("%s", d.error);
  return 0;
}
