// The running gateway as the management API sees it (api::Runtime): SendMessage publishes
// through the instance's storage binding like a device would, the online status comes from the
// session registry, the access points from the listeners that are bound.
#pragma once

#include <string>
#include <vector>

#include "api/runtime.h"
#include "config/config.h"

namespace mqgw {

class ApiRuntime : public api::Runtime {
 public:
  // `listeners` in config order with the ports they are bound to.
  ApiRuntime(const config::Config& cfg, const std::vector<uint16_t>& boundPorts);
  void sendMessage(const api::SendRequest& r, api::SendDone done) override;
  std::vector<api::SessionStatus> sessionStatus(const std::string& instanceId,
                                                const std::vector<std::string>& ids) override;
  std::vector<api::AccessPoint> accessPoints(const std::string& instanceId) override;

 private:
  std::vector<api::AccessPoint> points_;  // endpoints hold "{instance}" until asked for
  uint32_t nextWorker_ = 0;
};

}  // namespace mqgw
