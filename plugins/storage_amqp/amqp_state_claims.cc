// StateStore: sessions moving between nodes over the control stream (host_api.h
// session_claim / session_release), as the Kafka backend does over its control topic: the
// engine-neutral part is cluster::SessionClaims; here the stream's records are written and read.
#include <string>

#include "amqp_state_impl.h"

namespace mqgw::amqp {
namespace {

void controlWritten(void* arg, int status) {
  if (status == MQGW_OK) return;
  auto* host = static_cast<const mqgw_host_api*>(arg);
  host->log(MQGW_LOG_WARN, kStateLog, "a claim or release was not stored (%s)",
            host->strerror(status));
}

}  // namespace

int StateStore::Impl::writeControl(StateKind kind, const std::string& clientId,
                                   const std::string& value) {
  return publisher.publishTo(controlStream, stateRecord(kind, clientId, value), controlWritten,
                             const_cast<mqgw_host_api*>(host));
}

int StateStore::claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg) {
  if (!impl_->started) return MQGW_E_UNAVAILABLE;
  return impl_->claims.claim(clientId, takeState, cb, arg);
}

int StateStore::release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
                        const mqgw_position* next, uint32_t n) {
  return impl_->claims.release(claim, clientId, state, len, next, n);
}

// ---- the control follower's thread ----

void StateStore::Impl::onControlRecord(int64_t offset, const Delivery& d) {
  StateEntry e;
  ControlRecord record;
  if (!readStateEntry(d, &e) || (e.kind != StateKind::kClaim && e.kind != StateKind::kRelease) ||
      !cluster::decode(e.body, &record)) {
    host->log(MQGW_LOG_WARN, kStateLog, "%s: unreadable record at offset %lld ignored",
              controlStream.c_str(), static_cast<long long>(offset));
    return;
  }
  claims.onControl(record);
}

}  // namespace mqgw::amqp
