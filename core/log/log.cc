#include "log/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdarg>
#include <cstdio>

#include "mqgw/plugin_abi.h"

namespace mqgw::log {

bool init(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return false;
  auto logger = spdlog::stderr_logger_mt("mqgw");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%t] %v");
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return true;
}

void vwrite(int level, const char* plugin, const char* fmt, va_list ap) {
  static constexpr spdlog::level::level_enum kMap[] = {
      spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
      spdlog::level::err};
  auto lvl = kMap[level < 0 ? 0 : (level > MQGW_LOG_ERROR ? MQGW_LOG_ERROR : level)];
  if (!spdlog::should_log(lvl)) return;
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (plugin)
    spdlog::log(lvl, "{}: {}", plugin, buf);
  else
    spdlog::log(lvl, "{}", buf);
}

}  // namespace mqgw::log
