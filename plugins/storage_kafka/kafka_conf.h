// librdkafka configuration and logging helpers shared by the producer and the consumers.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

namespace mqgw::kafka {

// rd_kafka_conf_set; false with *why naming the setting on a bad key or value.
bool setConf(rd_kafka_conf_t* conf, const std::string& key, const std::string& value,
             std::string* why);

// librdkafka's syslog levels as mqgw_log_level.
int logLevelOf(int syslogLevel);

}  // namespace mqgw::kafka
