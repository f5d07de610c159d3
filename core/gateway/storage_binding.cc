#include "gateway/storage_binding.h"

#include <spdlog/spdlog.h>

#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "router/router.h"

namespace mqgw {
namespace {

struct PendingPublish {
  Worker* worker;
  Connection* origin;  // holds a ref; may be dead by completion
  mqgw_message* msg;   // holds a ref
  uint64_t cookie;
  int status;
  bool feeds;
};

void complete(PendingPublish* p) {
  if (p->status == MQGW_OK) {
    if (!p->feeds) p->worker->router().route(p->msg);
  } else {
    metrics::add(metrics::core().storageErrors, 1);
  }
  if (p->cookie && p->origin) p->origin->publishDone(p->cookie, p->status);
  if (p->origin) p->origin->unref();
  message::unref(p->msg);
  delete p;
}

void completeTask(void* arg) { complete(static_cast<PendingPublish*>(arg)); }

// The backend's completion: on any thread; hop to the publishing worker if needed.
void onAppended(void* arg, int status) {
  auto* p = static_cast<PendingPublish*>(arg);
  p->status = status;
  if (Worker::current() == p->worker) return complete(p);
  if (!p->worker->post(completeTask, p)) {
    // The worker is gone (shutdown): nobody is left to acknowledge to.
    message::unref(p->msg);
    delete p;  // the origin connection died with its worker
  }
}

}  // namespace

int StorageBinding::publish(Connection* origin, mqgw_message* msg, uint64_t cookie) {
  Worker* w = Worker::current();
  if (!w || !ops_) return MQGW_E_UNAVAILABLE;
  message::ref(msg);
  if (origin) origin->ref();
  auto* p = new PendingPublish{w, origin, msg, cookie, MQGW_OK,
                               (caps_ & MQGW_CAP_STORAGE_FEEDS) != 0};
  metrics::add(metrics::core().messagesPublished, 1);
  int rc = ops_->append(backend_, msg, onAppended, p);
  if (rc != MQGW_OK) {  // refused synchronously: the callback will not come
    p->status = rc;
    complete(p);
  }
  return MQGW_OK;
}

void StorageBinding::feed(mqgw_message* msg) {
  // A backend that feeds itself (e.g. a Kafka consumer) may call from its own thread: pick a
  // worker to own the fan-out.
  Worker* w = Worker::current();
  Gateway& gw = Gateway::get();
  if (w) return w->router().route(msg);
  message::ref(msg);
  Worker& first = gw.worker(0);
  struct Hop {
    Worker* w;
    mqgw_message* m;
  };
  auto* hop = new Hop{&first, msg};
  bool posted = first.post(
      [](void* a) {
        auto* h = static_cast<Hop*>(a);
        h->w->router().route(h->m);
        message::unref(h->m);
        delete h;
      },
      hop);
  if (!posted) {
    message::unref(msg);
    delete hop;
  }
}

void StorageBinding::healthChanged(int health) {
  int before = health_.exchange(health);
  if (before == health) return;
  metrics::add(metrics::core().storageUnavailable,
               (health == MQGW_HEALTH_UNAVAILABLE) - (before == MQGW_HEALTH_UNAVAILABLE));
  if (health == MQGW_HEALTH_UNAVAILABLE)
    spdlog::error("storage '{}' is unavailable: QoS 1/2 publishes wait for it", name_);
  else if (before == MQGW_HEALTH_UNAVAILABLE)
    spdlog::info("storage '{}' is available again", name_);
}

}  // namespace mqgw
