// Turns a successful response into what mqgwctl prints (OutputSpec in invocation.h).
#pragma once

#include "invocation.h"

#include <string>

namespace mqgw::ctl {

struct OutputFlags {
  bool json = false;   // --json: the response, pretty-printed
  bool quiet = false;  // -q: only the id (Object), one id per line (List), nothing (Done)
};

std::string renderResponse(const OutputSpec& spec, const Json& response, OutputFlags flags);

}  // namespace mqgw::ctl
