// MQTT 5.0 golden packets: properties, reason codes and the short acknowledgement forms.
#include "golden_packets.h"

namespace mqgw::mqtt::testing {

namespace {
using B = std::vector<uint8_t>;
constexpr Version V5 = Version::V5;

Ack ack(PacketType t, uint16_t id, uint8_t code) {
  Ack a;
  a.type = t;
  a.packetId = id;
  a.reasonCode = code;
  return a;
}

void addConnectFamily(std::vector<GoldenPacket>& g) {
  g.push_back({"v5_connect_full", V5,
      B{0x10, 0x3B, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,
        0xC6,                               // user | pass | will (QoS 0) | clean start
        0x00, 0x1E,                         // keep alive 30
        0x0F,                               // properties: 15 bytes
        0x11, 0x00, 0x00, 0x00, 0x78,       //   session expiry 120
        0x21, 0x00, 0x14,                   //   receive maximum 20
        0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
        0x00, 0x02, 'v', '5',               // client id
        0x0E,                               // will properties: 14 bytes
        0x01, 0x01,                         //   payload format: UTF-8
        0x03, 0x00, 0x04, 't', 'e', 'x', 't',   // content type
        0x18, 0x00, 0x00, 0x00, 0x05,       //   will delay 5
        0x00, 0x02, 'l', 'w', 0x00, 0x01, 'x',  // will topic, will payload
        0x00, 0x01, 'u', 0x00, 0x02, 'p', 'w'},
      [] {
        Connect c;
        c.protocolName = "MQTT";
        c.version = V5;
        c.keepAlive = 30;
        c.clientId = "v5";
        c.properties.sessionExpiryInterval = 120;
        c.properties.receiveMaximum = 20;
        c.properties.userProperties.push_back({"k", "v"});
        c.will = Will{};
        c.will->topic = "lw";
        c.will->payload = "x";
        c.will->properties.payloadFormatIndicator = 1;
        c.will->properties.contentType = "text";
        c.will->properties.willDelayInterval = 5;
        c.username = "u";
        c.password = "pw";
        return c;
      }()});
  g.push_back({"v5_connect_empty_client_id", V5,
      B{0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00},
      [] {
        Connect c;
        c.protocolName = "MQTT";
        c.version = V5;
        return c;
      }()});
  g.push_back({"v5_connack_properties", V5,
      B{0x20, 0x15, 0x00, 0x00, 0x12,
        0x12, 0x00, 0x03, 'g', 'e', 'n',    // assigned client id
        0x22, 0x00, 0x0A,                   // topic alias maximum 10
        0x24, 0x01,                         // maximum QoS 1
        0x25, 0x00,                         // retain not available
        0x27, 0x00, 0x10, 0x00, 0x00},      // maximum packet size 1 MiB
      [] {
        Connack c;
        c.properties.assignedClientIdentifier = "gen";
        c.properties.topicAliasMaximum = 10;
        c.properties.maximumQos = 1;
        c.properties.retainAvailable = 0;
        c.properties.maximumPacketSize = 1048576;
        return c;
      }()});
  g.push_back({"v5_connack_not_authorized", V5, B{0x20, 0x03, 0x00, 0x87, 0x00}, [] {
                 Connack c;
                 c.reasonCode = reason::NotAuthorized;
                 return c;
               }()});
}

void addPublishFamily(std::vector<GoldenPacket>& g) {
  g.push_back({"v5_publish_properties", V5,
      B{0x32, 0x29, 0x00, 0x03, 's', '/', 't', 0x00, 0x07,
        0x1F,                               // properties: 31 bytes
        0x01, 0x01,                         //   payload format UTF-8
        0x02, 0x00, 0x00, 0x00, 0x3C,       //   message expiry 60
        0x08, 0x00, 0x01, 'r',              //   response topic
        0x09, 0x00, 0x02, 0xDE, 0xAD,       //   correlation data
        0x0B, 0x01, 0x0B, 0xAC, 0x02,       //   subscription ids 1 and 300
        0x23, 0x00, 0x03,                   //   topic alias 3
        0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b',
        '{', '}'},
      [] {
        Publish p;
        p.qos = 1;
        p.topic = "s/t";
        p.packetId = 7;
        p.properties.payloadFormatIndicator = 1;
        p.properties.messageExpiryInterval = 60;
        p.properties.responseTopic = "r";
        p.properties.correlationData = "\xDE\xAD";
        p.properties.subscriptionIdentifiers = {1, 300};
        p.properties.topicAlias = 3;
        p.properties.userProperties.push_back({"a", "b"});
        p.payload = "{}";
        return p;
      }()});
  g.push_back({"v5_publish_qos0_no_properties", V5,
      B{0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 'h', 'i'}, [] {
        Publish p;
        p.topic = "a/b";
        p.payload = "hi";
        return p;
      }()});
  g.push_back({"v5_publish_topic_alias_only", V5,
      B{0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x05, 'z'}, [] {
        Publish p;
        p.properties.topicAlias = 5;
        p.payload = "z";
        return p;
      }()});
  g.push_back({"v5_puback_short", V5, B{0x40, 0x02, 0x00, 0x01},
      ack(PacketType::Puback, 1, reason::Success)});
  g.push_back({"v5_puback_reason_only", V5, B{0x40, 0x03, 0x00, 0x01, 0x10},
      ack(PacketType::Puback, 1, reason::NoMatchingSubscribers)});
  g.push_back({"v5_pubrec_reason_string", V5,
      B{0x50, 0x09, 0x00, 0x02, 0x80, 0x05, 0x1F, 0x00, 0x02, 'n', 'o'}, [] {
        Ack a = ack(PacketType::Pubrec, 2, reason::UnspecifiedError);
        a.properties.reasonString = "no";
        return a;
      }()});
  g.push_back({"v5_pubrel_not_found", V5, B{0x62, 0x03, 0x00, 0x03, 0x92},
      ack(PacketType::Pubrel, 3, reason::PacketIdentifierNotFound)});
  g.push_back({"v5_pubcomp_short", V5, B{0x70, 0x02, 0x00, 0x04},
      ack(PacketType::Pubcomp, 4, reason::Success)});
}

void addSubscribeFamily(std::vector<GoldenPacket>& g) {
  g.push_back({"v5_subscribe_options", V5,
      B{0x82, 0x18, 0x00, 0x01,
        0x02, 0x0B, 0x05,                   // properties: subscription id 5
        0x00, 0x03, 'a', '/', 'b', 0x2E,    // QoS 2, no local, RAP, retain handling 2
        0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'c', 0x01},
      [] {
        Subscribe s;
        s.packetId = 1;
        s.properties.subscriptionIdentifiers = {5};
        s.topics.push_back({"a/b", 2, true, true, 2});
        s.topics.push_back({"$share/g/c", 1, false, false, 0});
        return s;
      }()});
  g.push_back({"v5_suback", V5,
      B{0x90, 0x0A, 0x00, 0x01, 0x05, 0x1F, 0x00, 0x02, 'o', 'k', 0x02, 0x8F}, [] {
        Suback s;
        s.packetId = 1;
        s.properties.reasonString = "ok";
        s.reasonCodes = {reason::GrantedQos2, reason::TopicFilterInvalid};
        return s;
      }()});
  g.push_back({"v5_unsubscribe", V5,
      B{0xA2, 0x0F, 0x00, 0x02, 0x07, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',
        0x00, 0x03, 'a', '/', 'b'},
      [] {
        Unsubscribe u;
        u.packetId = 2;
        u.properties.userProperties.push_back({"k", "v"});
        u.filters = {"a/b"};
        return u;
      }()});
  g.push_back({"v5_unsuback", V5, B{0xB0, 0x05, 0x00, 0x02, 0x00, 0x00, 0x11}, [] {
                 Unsuback u;
                 u.packetId = 2;
                 u.reasonCodes = {reason::Success, reason::NoSubscriptionExisted};
                 return u;
               }()});
}

void addControlFamily(std::vector<GoldenPacket>& g) {
  g.push_back({"v5_pingreq", V5, B{0xC0, 0x00}, Pingreq{}});
  g.push_back({"v5_pingresp", V5, B{0xD0, 0x00}, Pingresp{}});
  g.push_back({"v5_disconnect_empty", V5, B{0xE0, 0x00}, Disconnect{}});
  g.push_back({"v5_disconnect_reason_only", V5, B{0xE0, 0x01, 0x8E}, [] {
                 Disconnect d;
                 d.reasonCode = reason::SessionTakenOver;
                 return d;
               }()});
  g.push_back({"v5_disconnect_properties", V5,
      B{0xE0, 0x0D, 0x04, 0x0B, 0x11, 0x00, 0x00, 0x00, 0x00, 0x1F, 0x00, 0x03, 'b', 'y', 'e'},
      [] {
        Disconnect d;
        d.reasonCode = reason::DisconnectWithWill;
        d.properties.sessionExpiryInterval = 0;
        d.properties.reasonString = "bye";
        return d;
      }()});
  g.push_back({"v5_auth_continue", V5,
      B{0xF0, 0x10, 0x18, 0x0E, 0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',
        0x16, 0x00, 0x03, 0x01, 0x02, 0x03},
      [] {
        Auth a;
        a.reasonCode = reason::ContinueAuthentication;
        a.properties.authenticationMethod = "SCRAM";
        a.properties.authenticationData = "\x01\x02\x03";
        return a;
      }()});
  g.push_back({"v5_auth_empty", V5, B{0xF0, 0x00}, Auth{}});
}

}  // namespace

std::vector<GoldenPacket> v5Packets() {
  std::vector<GoldenPacket> g;
  addConnectFamily(g);
  addPublishFamily(g);
  addSubscribeFamily(g);
  addControlFamily(g);
  return g;
}

}  // namespace mqgw::mqtt::testing
