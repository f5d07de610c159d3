// One append completion for two stores of one message: a retained message goes to the log and,
// as the retained record, to the state store; the core's callback runs once, with the first
// failure, or MQGW_OK once both are stored. Engine-neutral: each backend passes its two stores.
#pragma once

#include <atomic>
#include <new>

#include "mqgw/plugin_abi.h"

namespace mqgw::cluster {

// The shared completion of `parts` stores: `onPart` (an mqgw_append_cb) once per part; the last
// one calls cb and frees it.
class JoinedCompletion {
 public:
  // nullptr when out of memory.
  static JoinedCompletion* create(mqgw_append_cb cb, void* arg, int parts) {
    return new (std::nothrow) JoinedCompletion(cb, arg, parts);
  }
  static void onPart(void* joined, int status);
  // Frees a completion none of whose parts was started.
  static void discard(JoinedCompletion* joined) { delete joined; }

 private:
  JoinedCompletion(mqgw_append_cb cb, void* arg, int parts) : cb_(cb), arg_(arg), left_(parts) {}

  mqgw_append_cb cb_;
  void* arg_;
  std::atomic<int> left_;
  std::atomic<int> status_{MQGW_OK};
};

// A retained append: storeLog and storeRetained are callables (mqgw_append_cb, void* arg) -> int
// that start one store each and, when they return MQGW_OK, call the callback exactly once
// later. A refused log store is returned (cb never runs); a refused retained store completes
// its half with the refusal (the log record may be on its way already).
template <class StoreLog, class StoreRetained>
int appendRetained(mqgw_append_cb cb, void* arg, StoreLog&& storeLog,
                   StoreRetained&& storeRetained) {
  JoinedCompletion* both = JoinedCompletion::create(cb, arg, 2);
  if (!both) return MQGW_E_NOMEM;
  if (int rc = storeLog(&JoinedCompletion::onPart, both); rc != MQGW_OK) {
    JoinedCompletion::discard(both);
    return rc;
  }
  if (int rc = storeRetained(&JoinedCompletion::onPart, both); rc != MQGW_OK)
    JoinedCompletion::onPart(both, rc);
  return MQGW_OK;
}

}  // namespace mqgw::cluster
