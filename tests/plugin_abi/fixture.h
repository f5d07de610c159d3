/* Shared by the broken-plugin fixtures: a well-formed frontend descriptor whose ops do nothing.
 * Each fixture copies it and breaks exactly one thing, so the loader's error names that thing. */
#ifndef MQGW_TEST_FIXTURE_H
#define MQGW_TEST_FIXTURE_H

#include "mqgw/plugin_abi.h"

static int fixtureCreate(const mqgw_kv* cfg, size_t n, void** instance) {
  (void)cfg;
  (void)n;
  *instance = 0;
  return MQGW_OK;
}
static void fixtureDestroy(void* instance) { (void)instance; }
static int fixtureOpen(void* instance, mqgw_conn* conn, void** state) {
  (void)instance;
  (void)conn;
  *state = 0;
  return MQGW_OK;
}
static long fixtureData(void* state, const uint8_t* data, size_t len) {
  (void)state;
  (void)data;
  return (long)len;
}
static void fixtureClose(void* state, int reason) {
  (void)state;
  (void)reason;
}

static const mqgw_frontend_ops fixture_ops = {
    .struct_size = sizeof(mqgw_frontend_ops),
    .create = fixtureCreate,
    .destroy = fixtureDestroy,
    .on_open = fixtureOpen,
    .on_data = fixtureData,
    .on_close = fixtureClose,
};

#define FIXTURE_DESCRIPTOR(plugin_name)           \
  {                                               \
    .abi_version = MQGW_ABI_VERSION,              \
    .struct_size = sizeof(mqgw_plugin_descriptor), \
    .name = plugin_name,                          \
    .version = "0.0.0-test",                      \
    .build_sig = MQGW_BUILD_SIG,                  \
    .kind = MQGW_KIND_FRONTEND,                   \
    .ops = &fixture_ops,                          \
    .ops_size = sizeof(mqgw_frontend_ops),        \
  }

#endif /* MQGW_TEST_FIXTURE_H */
