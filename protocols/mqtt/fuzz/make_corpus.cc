// Writes the seed corpus: one file per golden packet (version byte + packet) and a few
// multi-packet streams. Build with the mqtt_make_corpus target and run it with the corpus dir.
#include <cstdio>
#include <fstream>
#include <string>

#include "../tests/golden_packets.h"

namespace {

uint8_t versionByte(mqgw::mqtt::Version v) { return uint8_t(uint8_t(v) - 3); }  // value % 3

void writeFile(const std::string& path, uint8_t first, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.put(char(first));
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<uint8_t> streams[3];
  for (const auto& g : mqgw::mqtt::testing::goldenPackets()) {
    writeFile(dir + "/seed_" + g.name, versionByte(g.version), g.bytes);
    auto& s = streams[versionByte(g.version)];
    s.insert(s.end(), g.bytes.begin(), g.bytes.end());
  }
  // Streams: V311 and V5 sessions (every packet back to back); different chunking seeds.
  writeFile(dir + "/stream_v311", 1, streams[1]);
  writeFile(dir + "/stream_v311_seed2", 1 + 3 * 7, streams[1]);
  writeFile(dir + "/stream_v5", 2, streams[2]);
  writeFile(dir + "/stream_v5_seed2", 2 + 3 * 11, streams[2]);
  return 0;
}
