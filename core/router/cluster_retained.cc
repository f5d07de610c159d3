// Retained messages on a clustered backend: a retained publish reaches the retained stores
// only when the feed brings it back, a few milliseconds after its PUBACK. So that a client
// subscribing right after the PUBACK sees it, the publishing node applies it to every worker's
// store at once, and each worker then ignores the older messages of that topic the feed still
// brings until the message itself comes back (one topic keeps its order in the backend).
#include <cstring>

#include "common/clock.h"
#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "router/router.h"

namespace mqgw {

void Router::retainEverywhere(mqgw_message* msg) {
  Gateway& gw = Gateway::get();
  for (uint32_t i = 0; i < gw.workerCount(); ++i) {
    message::ref(msg);
    auto task = [](void* arg) {
      auto* m = static_cast<mqgw_message*>(arg);
      if (Worker* w = Worker::current()) w->router().retainAhead(m);
      message::unref(m);
    };
    if (!gw.worker(i).post(task, msg)) message::unref(msg);
  }
}

void Router::retainAhead(mqgw_message* msg) {
  updateRetained(msg);
  RetainedAhead& a = retainedAhead_[std::string(msg->view.topic.ptr, msg->view.topic.len)];
  std::memcpy(a.id, msg->view.id, sizeof a.id);
  a.sinceMs = clock::steadyMs();
}

// Fed messages of a topic whose retained message was applied ahead are older than it (one
// topic keeps its order in the backend) until that message itself comes back. A message that
// never comes back (the feed restarted past it) stops holding the topic after a while.
bool Router::olderThanAhead(const mqgw_message* msg) {
  constexpr uint64_t kAheadForMs = 30000;
  auto it = retainedAhead_.find(std::string(msg->view.topic.ptr, msg->view.topic.len));
  if (it == retainedAhead_.end()) return false;
  bool itself = std::memcmp(it->second.id, msg->view.id, sizeof it->second.id) == 0;
  if (itself || clock::steadyMs() - it->second.sinceMs > kAheadForMs) {
    retainedAhead_.erase(it);
    return false;
  }
  return true;
}

}  // namespace mqgw
