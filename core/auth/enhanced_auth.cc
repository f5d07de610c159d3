#include "auth/enhanced_auth.h"

#include <memory>
#include <vector>

namespace mqgw::auth {
namespace {

std::vector<std::unique_ptr<mqgw_auth>>& methods() {
  static std::vector<std::unique_ptr<mqgw_auth>> all;
  return all;
}

const mqgw_auth* find(std::string_view method) {
  for (auto& m : methods())
    if (m->method == method) return m.get();
  return nullptr;
}

// The host's guarantees on every reply, whatever the plugin wrote: a known result, and a FAIL
// reason >= 0x80 (the frontend narrows it further to what the packet may carry).
void resetReply(mqgw_auth_reply* out) {
  *out = mqgw_auth_reply{};
  out->struct_size = sizeof *out;
  out->result = MQGW_AUTH_FAIL;
}

int checkReply(int rc, mqgw_auth_reply* out) {
  if (rc != MQGW_OK) return rc;
  if (out->result > MQGW_AUTH_FAIL) return MQGW_E_INVAL;
  if (out->result == MQGW_AUTH_FAIL && out->reason_code < 0x80) out->reason_code = 0x87;
  if (!out->data.ptr) out->data.len = 0;
  if (!out->reason.ptr) out->reason.len = 0;
  return MQGW_OK;
}

}  // namespace

bool registerMethod(std::string_view method, std::string_view plugin, const mqgw_auth_ops* ops,
                    void* instance) {
  if (find(method)) return false;
  methods().push_back(std::make_unique<mqgw_auth>(
      mqgw_auth{std::string(method), std::string(plugin), ops, instance}));
  return true;
}

std::string methodOwner(std::string_view method) {
  const mqgw_auth* a = find(method);
  return a ? a->plugin : std::string();
}

void clearMethods() { methods().clear(); }

const mqgw_auth* findMethod(mqgw_str method) {
  if (!method.ptr && method.len) return nullptr;
  return find({method.ptr, method.len});
}

int startExchange(const mqgw_auth* a, const mqgw_auth_request* req, mqgw_auth_exchange** ex,
                  mqgw_auth_reply* out) {
  if (!ex) return MQGW_E_INVAL;
  *ex = nullptr;
  if (!a || !req || !out) return MQGW_E_INVAL;
  try {
    auto exchange = std::make_unique<mqgw_auth_exchange>(mqgw_auth_exchange{a, nullptr});
    resetReply(out);
    int rc = checkReply(a->ops->start(a->instance, req, &exchange->state, out), out);
    if (rc != MQGW_OK) {
      if (exchange->state) a->ops->finish(exchange->state);
      return rc;
    }
    *ex = exchange.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

int stepExchange(mqgw_auth_exchange* ex, const uint8_t* data, size_t len, mqgw_auth_reply* out) {
  if (!ex || !out || (len && !data)) return MQGW_E_INVAL;
  resetReply(out);
  return checkReply(ex->auth->ops->step(ex->state, data, len, out), out);
}

void finishExchange(mqgw_auth_exchange* ex) {
  if (!ex) return;
  if (ex->state) ex->auth->ops->finish(ex->state);
  delete ex;
}

}  // namespace mqgw::auth
