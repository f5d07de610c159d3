// The commands that need no server: `configure` (write a profile) and `password` (a device's
// MQTT password).
#pragma once

#include "cli.h"

#include <iosfwd>

namespace mqgw::ctl {

int runConfigure(const CliModel& model, std::ostream& out, std::ostream& err,
                 const EnvLookup& env);
int runPassword(const CliModel& model, std::ostream& out, std::ostream& err,
                const EnvLookup& env);

}  // namespace mqgw::ctl
