// Logging for the core and, through the host API, for plugins. spdlog writes to stderr; stdout
// is kept for the few machine-readable startup lines (listener addresses, "ready").
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace mqgw::log {

// Returns false when `level` is not one of trace|debug|info|warn|error.
bool init(const std::string& level);
// printf-style entry used by the host API (plugin may be null for core messages).
void vwrite(int level, const char* plugin, const char* fmt, va_list ap);

}  // namespace mqgw::log
