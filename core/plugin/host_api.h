// The mqgw_host_api table handed to every plugin: thin C shims over the core's C++ objects.
#pragma once

#include "mqgw/plugin_abi.h"

namespace mqgw {

const mqgw_host_api* hostApi();
const char* statusName(int status);
const char* statusText(int status);

}  // namespace mqgw
