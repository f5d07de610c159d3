#include "gateway/gateway.h"

#include "gateway/limits.h"

namespace mqgw {
namespace {
CoreLimits gLimits;
}

const mqgw_limits& limits() { return gLimits.abi; }
const CoreLimits& coreLimits() { return gLimits; }
void setLimits(const CoreLimits& l) {
  gLimits = l;
  gLimits.abi.struct_size = sizeof(mqgw_limits);
}

Gateway& Gateway::get() {
  static Gateway* g = new Gateway();  // process lifetime; plugins may call in during teardown
  return *g;
}

void Gateway::createWorkers(uint32_t n) {
  storage_.setWorkers(n);
  for (uint32_t i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(i, n));
}

}  // namespace mqgw
