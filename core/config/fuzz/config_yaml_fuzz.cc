// Fuzzes the config loader: any bytes must give a Config or an Error, never a crash, a hang or
// an escaping exception. Each plugin section found also goes through validateSection with a
// schema of every type, so hostile sections (aliases, deep nesting) get exercised too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

namespace {

const mqgw_config_key kSchema[] = {
    {"enabled", MQGW_CFG_BOOL, "true", 0, 1, 0, nullptr, nullptr},
    {"count", MQGW_CFG_INT, nullptr, 0, -5, 5, nullptr, nullptr},
    {"ratio", MQGW_CFG_DOUBLE, nullptr, 0, 0, 1, nullptr, nullptr},
    {"name", MQGW_CFG_STRING, nullptr, 0, 1, 0, nullptr, nullptr},
    {"timeout", MQGW_CFG_DURATION_MS, "1s", 0, 0, 60000, nullptr, nullptr},
    {"buffer", MQGW_CFG_SIZE, "64KiB", 0, 1, 0, nullptr, nullptr},
    {"ssl.ca", MQGW_CFG_FILE, nullptr, 0, 1, 0, nullptr, nullptr},
    {"mode", MQGW_CFG_ENUM, "a", 0, 1, 0, "a|b|c", nullptr},
    {"lib.", MQGW_CFG_PREFIX, nullptr, 0, 1, 0, nullptr, nullptr},
};
constexpr size_t kSchemaLen = sizeof kSchema / sizeof kSchema[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // A base directory that does not exist: relative paths never touch real files.
  auto r = mqgw::config::loadString(text, "fuzz.yaml", "/nonexistent-mqgw-fuzz");
  if (!r.ok()) {
    (void)r.error->str();
    return 0;
  }
  for (const auto& l : r.config->listeners)
    for (const auto& s : l.sections) (void)mqgw::config::validateSection(s, kSchema, kSchemaLen);
  (void)mqgw::config::validateSection(r.config->storageSection, kSchema, kSchemaLen);
  return 0;
}
