#include "amqp_inbound.h"

#include <string>

#include "amqp_names.h"
#include "amqp_record.h"

namespace mqgw::amqp {

mqgw_message* inboundMessage(const mqgw_host_api* host, const Settings& s, const Delivery& d) {
  if (d.header("mqtt.topic")) {
    mqgw_message* msg = decodeMessage(host, d);
    if (!msg) return nullptr;
    const mqgw_message_view* v = host->message_view(msg);
    Route route;
    if (routeOf(s, {v->topic.ptr, v->topic.len}, &route) && route.exchange == d.exchange())
      return msg;
    host->message_unref(msg);
    return nullptr;
  }
  std::string topic;
  if (!topicOf(s, d.exchange(), d.routingKey(), &topic)) return nullptr;
  return foreignMessage(host, d, topic);
}

}  // namespace mqgw::amqp
