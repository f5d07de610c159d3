// Writes the seed corpus of the amqp_record fuzz target from encodeMessage itself:
//   amqp_fuzz_make_corpus <corpus-dir>   (writes <dir>/amqp_record)
// Build with the amqp_fuzz_make_corpus target (not built by default).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "amqp_record.h"
#include "amqp_test_host.h"
#include "fuzz/delivery_input.h"

namespace {

using namespace mqgw::amqp;
using mqgw::amqp::fuzz::DeliveryInput;
using mqgw::amqp::testing::FakeHost;

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

mqgw_str str(const std::string& s) { return {s.data(), s.size()}; }
std::string text(amqp_bytes_t b) {
  return b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

// The input standing for what publishing `out` delivers.
DeliveryInput fromOutgoing(OutgoingMessage& out, const std::string& foreignTopic) {
  const amqp_basic_properties_t& p = out.properties();
  DeliveryInput in;
  in.props.hasMessageId = p._flags & AMQP_BASIC_MESSAGE_ID_FLAG;
  in.props.hasContentType = p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG;
  in.props.hasTimestamp = p._flags & AMQP_BASIC_TIMESTAMP_FLAG;
  in.props.messageId = text(p.message_id);
  in.props.contentType = text(p.content_type);
  in.props.timestamp = p.timestamp;
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) in.table = mqgw::amqp::testing::encodeTable(p.headers);
  in.foreignTopic = foreignTopic;
  in.body = std::string(out.body());
  return in;
}

std::string encoded(const mqgw_message_view& v, const std::string& foreignTopic = "devices/7") {
  const mqgw_host_api* host = FakeHost::instance().api();
  mqgw_message* m = host->message_create(&v);
  OutgoingMessage out;
  encodeMessage(host, m, &out);
  host->message_unref(m);
  return mqgw::amqp::fuzz::writeDeliveryInput(fromOutgoing(out, foreignTopic));
}

std::string built(const std::function<void(OutgoingMessage&)>& fill) {
  OutgoingMessage out;
  fill(out);
  return mqgw::amqp::fuzz::writeDeliveryInput(fromOutgoing(out, "plain/amqp"));
}

void writeRecordSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string topic = "plant/7/temp", client = "sensor-7", type = "text/plain",
                    reply = "plant/7/replies", corr("\x00\x01\xff", 3), payload = "21.5",
                    longType(300, 't'), longKey(250, 'k');
  const std::string k1 = "unit", v1 = "C", k2 = "a b", v2 = "", k3 = "unit", v3 = "F";
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = str(topic);
  v.payload = str(payload);
  v.qos = 1;
  v.publisher_id = str(client);
  v.created_ms = 1717171717123;
  for (int i = 0; i < 16; ++i) v.id[i] = static_cast<uint8_t>(0xa0 + i);
  writeFile(dir / "minimal", encoded(v));

  const mqgw_user_prop grouped[] = {{str(k1), str(v1)}, {str(k3), str(v3)}, {str(k2), str(v2)}};
  v.qos = 2;
  v.retain = 1;
  v.payload_format = 1;
  v.has_expiry = 1;
  v.expiry_interval_s = 3600;
  v.content_type = str(type);
  v.response_topic = str(reply);
  v.correlation_data = str(corr);
  v.user_props = grouped;
  v.user_prop_count = 3;
  writeFile(dir / "full", encoded(v));

  // interleaved keys (the exact list header), a long key and a long content type
  const mqgw_user_prop interleaved[] = {
      {str(k1), str(v1)}, {str(k2), str(v2)}, {str(k3), str(v3)}, {str(longKey), str(v1)}};
  v.user_props = interleaved;
  v.user_prop_count = 4;
  v.content_type = str(longType);
  const std::string console = "$i/mqtt-abc123/a/b";
  v.topic = str(console);
  writeFile(dir / "exact_order", encoded(v, "$i/mqtt-abc123/x"));

  // what plain AMQP clients publish: nothing, or a few of the headers
  writeFile(dir / "plain", built([](OutgoingMessage& o) { o.setBody("hello"); }));
  writeFile(dir / "plain_headers", built([](OutgoingMessage& o) {
              o.setBody("{}");
              o.setContentType("application/json");
              o.addInt64("x-mqtt-publish-qos", 1);
              o.addString("mqtt.user.unit", "C");
              o.addStringArray("mqtt.user.tag", {"a", "b"});
            }));
  writeFile(dir / "no_message_id", built([](OutgoingMessage& o) {
              o.addString("mqtt.topic", "a/b");
              o.addInt8("x-mqtt-publish-qos", 0);
              o.setTimestamp(1700000000);
            }));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  writeRecordSeeds(std::filesystem::path(argv[1]) / "amqp_record");
  return 0;
}
