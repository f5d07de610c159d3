// Hand-written spec byte sequences for every packet type and version, each with the struct the
// codec must decode it to (and encode back to exactly these bytes).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "mqtt/testing/any_packet.h"

namespace mqgw::mqtt::testing {

struct GoldenPacket {
  std::string name;  // test-name safe: letters, digits, underscores
  Version version;
  std::vector<uint8_t> bytes;
  AnyPacket expected;
};

const std::vector<GoldenPacket>& goldenPackets();

// Names the packet in gtest failure messages instead of dumping its bytes.
inline void PrintTo(const GoldenPacket& g, std::ostream* os) { *os << g.name; }

}  // namespace mqgw::mqtt::testing
