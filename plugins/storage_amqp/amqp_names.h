// The MQTT ↔ AMQP naming convention of RabbitMQ's own MQTT plugin, so RabbitMQ users recognise
// it: an MQTT topic's levels become routing-key words ('/' and '.' swapped), subscriptions bind
// with '+' → '*' and '#' → '#'. Each instance has its own topic exchange: a console instance's
// topic "$i/<InstanceId>/a/b" goes to the exchange for <InstanceId> with routing key "a.b".
// Pure functions; no RabbitMQ here.
#pragma once

#include <string>
#include <string_view>

#include "amqp_settings.h"

namespace mqgw::amqp {

// AMQP 0-9-1 caps exchange, queue and routing-key names at 255 bytes.
inline constexpr size_t kMaxShortString = 255;

// Where a message with this (core) MQTT topic is published.
struct Route {
  std::string exchange;
  std::string routingKey;
};

// '/' ↔ '.' swapped, byte for byte (an involution: swapTopic(swapTopic(t)) == t).
std::string swapSeparators(std::string_view text);

// The exchange and routing key of an MQTT topic name. False when either would be longer than
// kMaxShortString (RabbitMQ cannot carry it) or the instance id is empty. When exchangeTemplate
// names no {instance}, every instance shares one exchange and a console topic keeps its
// "$i/<InstanceId>/" in the key ("$i.<InstanceId>.a.b"), so instances stay apart.
// (A configured `instance` equal to a console InstanceId would share its exchange: InstanceIds
// look like "mqtt-xxxxxxxxxxxx".)
bool routeOf(const Settings& s, std::string_view mqttTopic, Route* out);

// The exchange of an instance (exchangeTemplate with {instance} = instance).
std::string exchangeOf(const Settings& s, std::string_view instance);

// The reverse of routeOf for a message a plain AMQP client published into an instance's
// exchange: the core MQTT topic ("$i/<InstanceId>/" + swapped key for a console instance,
// the swapped key for the development instance). False for an exchange the template cannot
// make, and for a development-instance key that would name a console topic ("$i.…"): a plain
// AMQP client must not reach into another instance through the development exchange.
bool topicOf(const Settings& s, std::string_view exchange, std::string_view routingKey,
             std::string* mqttTopic);

// The binding of an MQTT filter (core form, maybe "$i/<InstanceId>/..."): its exchange and
// binding key ('+' → '*', '#' → '#', other levels swapped). False when too long.
bool bindingOf(const Settings& s, std::string_view mqttFilter, Route* out);

// The durable queue of a $share group on this instance:
// "<statePrefix>share.<group made safe>.<16 hex digits of FNV-1a 64 of the filter>".
// Made safe: a group of at most 64 [A-Za-z0-9_-] is kept; any other becomes its first 40
// bytes with other characters as '_', then '~' and the FNV-1a hex of the group (so different
// groups never share a queue). The caller checks the result against kMaxShortString (a long
// statePrefix can exceed it).
std::string shareQueueName(const Settings& s, std::string_view group, std::string_view filter);

}  // namespace mqgw::amqp
