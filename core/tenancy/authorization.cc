// What an admitted connection of a console instance may do: publish and subscribe only under
// the instance's parent topics (and, with tokens, only what the tokens grant), within the
// instance's spec. The development instance may do anything except reach into "$i/".
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "resources/topic_policy.h"
#include "router/router.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

namespace mqgw::tenancy {
namespace {

struct Counters {
  uint32_t denied, throttled, tooLarge, subDenied, subLimit, kicked;
};
const Counters& counters() {
  static const Counters c = [] {
    auto reg = [](const char* n, const char* h) { return metrics::registerMetric(n, h, false); };
    return Counters{
        reg("mqgw_console_publish_denied_total", "publishes outside the instance's topics or tokens"),
        reg("mqgw_console_publish_throttled_total", "publishes over the instance's MaxPublishTps"),
        reg("mqgw_console_message_too_large_total", "publishes over the instance's MaxMessageSize"),
        reg("mqgw_console_subscribe_denied_total", "filters outside the instance's topics or tokens"),
        reg("mqgw_console_subscription_limit_total",
            "subscriptions over the instance's MaxSubscriptionsPerClient"),
        reg("mqgw_console_connections_closed_total",
            "connections closed because their instance became unusable")};
  }();
  return c;
}

uint32_t workerIndex() {
  Worker* w = Worker::current();
  return w ? w->index() : InstanceRuntime::kAnyThread;
}

// The instance's view for this call: on a worker, a pointer into its cache (no shared
// reference count per publish); elsewhere (SendMessage's thread, tests) a counted copy.
class ViewRef {
 public:
  explicit ViewRef(InstanceRuntime* rt) {
    uint32_t w = workerIndex();
    ptr_ = w == InstanceRuntime::kAnyThread ? nullptr : rt->cachedView(w);
    if (!ptr_) {
      held_ = rt->view(InstanceRuntime::kAnyThread);
      ptr_ = held_.get();
    }
  }
  explicit operator bool() const { return ptr_ != nullptr; }
  const resources::InstanceView* operator->() const { return ptr_; }
  const resources::InstanceView& operator*() const { return *ptr_; }

 private:
  const resources::InstanceView* ptr_ = nullptr;
  resources::InstanceViewPtr held_;
};

// Token mode: the tokens may have been revoked since the connection was admitted.
bool grantsUsable(Tenant& t) {
  if (t.mode != resources::AuthMode::Token) return true;
  resources::Registry* reg = registry();
  uint64_t gen = reg->generation();
  if (gen == t.grantsCheckedAt) return true;
  if (!reg->grantsStillValid(t.grants)) return false;
  t.grantsCheckedAt = gen;
  return true;
}

int fail(uint32_t counter, int status) {
  metrics::add(counter, 1);
  return status;
}

}  // namespace

int checkPublish(Session& s, mqgw_message** msg) {
  const mqgw_message_view& v = (*msg)->view;
  std::string_view topic(v.topic.ptr, v.topic.len);
  if (!s.tenant) return reservedName(topic) ? fail(counters().denied, MQGW_E_DENIED) : MQGW_OK;
  Tenant& t = *s.tenant;
  ViewRef view(t.instance);
  if (!view || view->instance.status != resources::InstanceStatus::Ready)
    return fail(counters().denied, MQGW_E_DENIED);
  const resources::Spec& spec = view->instance.spec;
  if (v.payload.len > spec.maxMessageSize) return fail(counters().tooLarge, MQGW_E_TOO_LARGE);
  if (!resources::checkTopicName(*view, topic, settings().maxTopicLength).empty())
    return fail(counters().denied, MQGW_E_DENIED);
  if (t.mode == resources::AuthMode::Token &&
      (!grantsUsable(t) || !resources::grantsAllow(t.grants, topic, resources::kWrite,
                                                   static_cast<int64_t>(clock::wallMs()))))
    return fail(counters().denied, MQGW_E_DENIED);
  if (!t.instance->takePublish(clock::steadyMs(), spec.maxPublishTps))
    return fail(counters().throttled, MQGW_E_QUOTA);
  // The internal copy: the same message under "$i/<instance>/" (id and time kept).
  std::string internal = t.instance->prefix();
  internal.append(topic);
  mqgw_message_view copy = v;
  copy.topic = {internal.data(), internal.size()};
  *msg = message::restore(copy);  // the caller keeps (and releases) its own reference
  return MQGW_OK;
}

int checkSubscribe(Session& s, std::string_view filter, std::string* internal) {
  if (!s.tenant) {
    if (reservedName(filter)) return fail(counters().subDenied, MQGW_E_DENIED);
    internal->assign(filter);
    return MQGW_OK;
  }
  Tenant& t = *s.tenant;
  ViewRef view(t.instance);
  if (!view || view->instance.status != resources::InstanceStatus::Ready)
    return fail(counters().subDenied, MQGW_E_DENIED);
  std::string_view part = shareFilterPart(filter);
  if (!resources::checkTopicFilter(*view, part, settings().maxTopicLength).empty())
    return fail(counters().subDenied, MQGW_E_DENIED);
  if (t.mode == resources::AuthMode::Token &&
      (!grantsUsable(t) || !resources::grantsAllow(t.grants, part, resources::kRead,
                                                   static_cast<int64_t>(clock::wallMs()))))
    return fail(counters().subDenied, MQGW_E_DENIED);
  *internal = qualifyFilter(t.instance->prefix(), filter);
  if (s.subscriptions && s.subscriptions->size() >= view->instance.spec.maxSubscriptionsPerClient) {
    bool replaces = false;
    for (const Subscription& sub : *s.subscriptions) replaces |= sub.filter == *internal;
    if (!replaces) return fail(counters().subLimit, MQGW_E_QUOTA);
  }
  return MQGW_OK;
}

std::string internalFilter(const Session& s, std::string_view filter) {
  if (!s.tenant) return std::string(filter);
  return qualifyFilter(s.tenant->instance->prefix(), filter);
}

mqgw_message* internalWill(Session& s, mqgw_message* will) {
  mqgw_message* msg = will;
  if (checkPublish(s, &msg) != MQGW_OK) return nullptr;
  if (msg == will) message::ref(will);
  return msg;
}

void closeConnectionsOf(InstanceRuntime* rt) {
  counters();
  for (uint32_t i = 0; i < Gateway::get().workerCount(); ++i)
    Gateway::get().worker(i).post(
        [](void* arg) {
          Worker* w = Worker::current();
          if (!w) return;
          size_t n = w->router().closeInstanceConnections(static_cast<InstanceRuntime*>(arg));
          if (n) metrics::add(counters().kicked, static_cast<int64_t>(n));
        },
        rt);
}

}  // namespace mqgw::tenancy
