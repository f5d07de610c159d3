// Writes the seed corpora of the two kafka fuzz targets from the encoders themselves:
//   kafka_fuzz_make_corpus <corpus-dir>   (writes <dir>/kafka_state_record and <dir>/kafka_record)
// Build with the kafka_fuzz_make_corpus target (not built by default).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "fuzz/record_input.h"
#include "kafka_record.h"
#include "state_record.h"

namespace {

using namespace mqgw::cluster;
using namespace mqgw::kafka;
using mqgw::kafka::fuzz::RecordInput;

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void writeStateSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::vector<NamedPosition> cursor{{"mqtt.t1.a", 0, 17}, {"mqtt.t1.a", 3, 4096}};
  writeFile(dir / "session", encode(SessionRecord{"node-a", "opaque\x01state", cursor, 1717000}));
  writeFile(dir / "session_empty", encode(SessionRecord{}));
  writeFile(dir / "floor", encode(FloorRecord{"node-b", cursor, 1717001}));
  writeFile(dir / "claim_take",
            encode(ClaimRecord{42, "node-b", "dev-1", true, 1717002, "node-a"}));
  writeFile(dir / "claim", encode(ClaimRecord{7, "node-c", "dev-2", false, 9, ""}));
  writeFile(dir / "release", encode(ReleaseRecord{42, "node-a", "node-b", "dev-1", "st", cursor}));
  writeFile(dir / "release_empty", encode(ReleaseRecord{43, "node-a", "node-b", "dev-3", "", {}}));
  writeFile(dir / "session_trailing", encode(SessionRecord{"n", "", {}, 1}) + "newer fields");
  writeFile(dir / "floor_key", floorKey("node-a"));
}

mqgw_str str(const std::string& s) { return {s.data(), s.size()}; }

RecordInput fromHeaders(rd_kafka_headers_t* h, std::string value, int64_t timestampMs) {
  RecordInput in;
  in.timestampMs = timestampMs;
  in.value = std::move(value);
  const char* name = nullptr;
  const void* bytes = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(h, i, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    in.headers.push_back({name, false, std::string(static_cast<const char*>(bytes), size)});
  rd_kafka_headers_destroy(h);
  return in;
}

void writeRecordSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string topic = "plant/7/temp", client = "sensor-7", type = "text/plain",
                    reply = "plant/7/replies", corr("\x00\x01\xff", 3);
  const std::string k1 = "unit", v1 = "C", k2 = "a b", v2 = "";
  const mqgw_user_prop props[] = {{str(k1), str(v1)}, {str(k2), str(v2)}};
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = str(topic);
  v.qos = 1;
  v.publisher_id = str(client);
  v.created_ms = 1717171717123;
  for (int i = 0; i < 16; ++i) v.id[i] = static_cast<uint8_t>(0xa0 + i);
  using mqgw::kafka::fuzz::writeRecordInput;
  writeFile(dir / "minimal", writeRecordInput(fromHeaders(recordHeaders(v), "21.5", 1717)));

  v.qos = 2;
  v.retain = 1;
  v.payload_format = 1;
  v.has_expiry = 1;
  v.expiry_interval_s = 3600;
  v.content_type = str(type);
  v.response_topic = str(reply);
  v.correlation_data = str(corr);
  v.user_props = props;
  v.user_prop_count = 2;
  writeFile(dir / "full", writeRecordInput(fromHeaders(recordHeaders(v), "payload", -1)));

  // Someone else's record: only topic and QoS, so a new ID; and one with no created time.
  RecordInput foreign;
  foreign.headers = {{"mqtt.topic", false, "a/b"}, {"mqtt.qos", false, "0"}};
  foreign.nullValue = true;
  writeFile(dir / "foreign", writeRecordInput(foreign));
  RecordInput noTime = fromHeaders(recordHeaders(v), "", 99);
  std::erase_if(noTime.headers, [](const auto& h) { return h.name == "mqtt.created_ms"; });
  writeFile(dir / "no_created", writeRecordInput(noTime));
  RecordInput none;
  none.nullHeaders = true;
  writeFile(dir / "no_headers", writeRecordInput(none));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  writeStateSeeds(dir / "kafka_state_record");
  writeRecordSeeds(dir / "kafka_record");
  return 0;
}
