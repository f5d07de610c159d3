#include "joined_completion.h"

namespace mqgw::cluster {

void JoinedCompletion::onPart(void* joined, int status) {
  auto* j = static_cast<JoinedCompletion*>(joined);
  if (status != MQGW_OK) {
    int ok = MQGW_OK;
    j->status_.compare_exchange_strong(ok, status);
  }
  if (j->left_.fetch_sub(1) != 1) return;
  j->cb_(j->arg_, j->status_.load());
  delete j;
}

}  // namespace mqgw::cluster
