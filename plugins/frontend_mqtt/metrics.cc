#include "metrics.h"

namespace mqgw::mqttfe {

MetricIds gMetrics;

void registerMetrics() {
  auto reg = [](const char* name, const char* help) {
    return host().metric_register(name, help, 0);
  };
  gMetrics.protocolErrors =
      reg("mqgw_mqtt_protocol_errors_total", "MQTT connections closed for a protocol violation");
  gMetrics.keepaliveTimeouts =
      reg("mqgw_mqtt_keepalive_timeouts_total", "MQTT clients that missed their keepalive");
  gMetrics.dropped = reg("mqgw_mqtt_dropped_total",
                         "Outbound messages dropped (slow consumer, queue bound, packet size)");
  gMetrics.delivered =
      reg("mqgw_messages_delivered_total", "PUBLISH packets written to MQTT subscribers");
  gMetrics.connects = reg("mqgw_mqtt_connects_total", "MQTT CONNECT packets accepted");
  gMetrics.connackRefused =
      reg("mqgw_mqtt_connack_refused_total", "MQTT CONNECT packets refused with a CONNACK");
  gMetrics.expired = reg("mqgw_mqtt_expired_total",
                         "Messages not delivered because their Message Expiry Interval passed");
  gMetrics.authFailures = reg("mqgw_mqtt_auth_failures_total",
                              "MQTT 5 enhanced authentications refused (CONNECT or re-auth)");
}

}  // namespace mqgw::mqttfe
