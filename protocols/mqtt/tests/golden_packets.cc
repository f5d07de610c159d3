// Golden packets, written byte by byte from the MQTT 3.1, 3.1.1 and 5.0 specifications. The
// comments give each field; remaining lengths were counted by hand.
#include "golden_packets.h"

namespace mqgw::mqtt::testing {
namespace {

using B = std::vector<uint8_t>;
constexpr Version V31 = Version::V31, V311 = Version::V311, V5 = Version::V5;

B withPayload(B head, size_t n, uint8_t fill) {
  head.insert(head.end(), n, fill);
  return head;
}

std::vector<GoldenPacket> v3Packets() {
  std::vector<GoldenPacket> g;
  g.push_back({"v31_connect_credentials", V31,
      B{0x10, 0x16, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03,
        0xC2,              // username | password | clean session
        0x00, 0x3C,        // keep alive 60
        0x00, 0x02, 'c', '1', 0x00, 0x01, 'u', 0x00, 0x01, 'p'},
      [] {
        Connect c;
        c.protocolName = "MQIsdp";
        c.version = V31;
        c.keepAlive = 60;
        c.clientId = "c1";
        c.username = "u";
        c.password = "p";
        return c;
      }()});
  g.push_back({"v31_connect_password_without_username", V31,
      B{0x10, 0x13, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03,
        0x42,              // password | clean session: tolerated in 3.1, malformed in 3.1.1
        0x00, 0x3C, 0x00, 0x02, 'c', '1', 0x00, 0x01, 'p'},
      [] {
        Connect c;
        c.protocolName = "MQIsdp";
        c.version = V31;
        c.keepAlive = 60;
        c.clientId = "c1";
        c.password = "p";
        return c;
      }()});
  g.push_back({"v311_connect_minimal", V311,
      B{0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x0A,
        0x00, 0x03, 'a', 'b', 'c'},
      [] {
        Connect c;
        c.protocolName = "MQTT";
        c.keepAlive = 10;
        c.clientId = "abc";
        return c;
      }()});
  g.push_back({"v311_connect_will", V311,
      B{0x10, 0x22, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
        0xEC,                         // user | pass | will retain | will QoS 1 | will
        0x01, 0x2C,                   // keep alive 300
        0x00, 0x02, 'i', 'd',         // client id
        0x00, 0x03, 'w', '/', 't',    // will topic
        0x00, 0x03, 'b', 'y', 'e',    // will payload
        0x00, 0x04, 'u', 's', 'e', 'r', 0x00, 0x02, 0x01, 0x02},
      [] {
        Connect c;
        c.protocolName = "MQTT";
        c.cleanStart = false;
        c.keepAlive = 300;
        c.clientId = "id";
        c.will = Will{};
        c.will->topic = "w/t";
        c.will->payload = "bye";
        c.will->qos = 1;
        c.will->retain = true;
        c.username = "user";
        c.password = std::string_view("\x01\x02", 2);
        return c;
      }()});
  g.push_back({"v311_connack_session_present", V311, B{0x20, 0x02, 0x01, 0x00}, [] {
                 Connack c;
                 c.sessionPresent = true;
                 return c;
               }()});
  g.push_back({"v311_connack_not_authorized", V311, B{0x20, 0x02, 0x00, 0x05}, [] {
                 Connack c;
                 c.reasonCode = connack_v3::NotAuthorized;
                 return c;
               }()});
  g.push_back({"v311_publish_qos0", V311, B{0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 'h', 'i'}, [] {
                 Publish p;
                 p.topic = "a/b";
                 p.payload = "hi";
                 return p;
               }()});
  g.push_back({"v311_publish_qos1_dup_retain", V311,
      B{0x3B, 0x05, 0x00, 0x01, 't', 0x12, 0x34}, [] {
        Publish p;
        p.dup = true;
        p.qos = 1;
        p.retain = true;
        p.topic = "t";
        p.packetId = 0x1234;
        return p;
      }()});
  g.push_back({"v311_publish_qos2_two_byte_length", V311,
      withPayload(B{0x34, 0xCD, 0x01, 0x00, 0x01, 'x', 0x00, 0x09}, 200, 'P'), [] {
        static const std::string payload(200, 'P');
        Publish p;
        p.qos = 2;
        p.topic = "x";
        p.packetId = 9;
        p.payload = payload;
        return p;
      }()});
  const auto ack = [](PacketType t, uint16_t id) {
    Ack a;
    a.type = t;
    a.packetId = id;
    return a;
  };
  g.push_back({"v311_puback", V311, B{0x40, 0x02, 0x00, 0x01}, ack(PacketType::Puback, 1)});
  g.push_back({"v311_pubrec", V311, B{0x50, 0x02, 0x00, 0x02}, ack(PacketType::Pubrec, 2)});
  g.push_back({"v311_pubrel", V311, B{0x62, 0x02, 0x00, 0x03}, ack(PacketType::Pubrel, 3)});
  g.push_back({"v311_pubcomp", V311, B{0x70, 0x02, 0x00, 0x04}, ack(PacketType::Pubcomp, 4)});
  g.push_back({"v311_subscribe", V311,
      B{0x82, 0x0C, 0x00, 0x0A, 0x00, 0x03, 'a', '/', '+', 0x01, 0x00, 0x01, '#', 0x00}, [] {
        Subscribe s;
        s.packetId = 10;
        s.topics.push_back({"a/+", 1, false, false, 0});
        s.topics.push_back({"#", 0, false, false, 0});
        return s;
      }()});
  g.push_back({"v311_suback", V311, B{0x90, 0x04, 0x00, 0x0A, 0x01, 0x80}, [] {
                 Suback s;
                 s.packetId = 10;
                 s.reasonCodes = {0x01, 0x80};
                 return s;
               }()});
  g.push_back({"v311_unsubscribe", V311,
      B{0xA2, 0x0A, 0x00, 0x0B, 0x00, 0x03, 'a', '/', '+', 0x00, 0x01, '#'}, [] {
        Unsubscribe u;
        u.packetId = 11;
        u.filters = {"a/+", "#"};
        return u;
      }()});
  g.push_back({"v311_unsuback", V311, B{0xB0, 0x02, 0x00, 0x0B}, [] {
                 Unsuback u;
                 u.packetId = 11;
                 return u;
               }()});
  g.push_back({"v311_pingreq", V311, B{0xC0, 0x00}, Pingreq{}});
  g.push_back({"v311_pingresp", V311, B{0xD0, 0x00}, Pingresp{}});
  g.push_back({"v311_disconnect", V311, B{0xE0, 0x00}, Disconnect{}});
  return g;
}

}  // namespace

std::vector<GoldenPacket> v5Packets();

const std::vector<GoldenPacket>& goldenPackets() {
  static const std::vector<GoldenPacket> all = [] {
    std::vector<GoldenPacket> g = v3Packets();
    for (GoldenPacket& p : v5Packets()) g.push_back(std::move(p));
    return g;
  }();
  return all;
}

}  // namespace mqgw::mqtt::testing
