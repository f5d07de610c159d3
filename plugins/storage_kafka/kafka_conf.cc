#include "kafka_conf.h"

#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

bool setConf(rd_kafka_conf_t* conf, const std::string& key, const std::string& value,
             std::string* why) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK)
    return true;
  *why = "librdkafka setting '" + key + "': " + err;
  return false;
}

int logLevelOf(int syslogLevel) {
  if (syslogLevel <= 3) return MQGW_LOG_ERROR;
  if (syslogLevel == 4) return MQGW_LOG_WARN;
  if (syslogLevel <= 6) return MQGW_LOG_INFO;
  return MQGW_LOG_DEBUG;
}

}  // namespace mqgw::kafka
