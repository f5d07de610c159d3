// libFuzzer target for the MQTT codec. Byte 0 picks the protocol version (value % 3) and seeds
// the chunking; the rest is a byte stream fed to readFrame in random-size chunks, accumulated
// the way a connection buffers reads. Every frame is decoded; every decoded packet is encoded,
// decoded again and must give the same fields, and encoding that must give the same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "mqtt/mqtt_codec.h"
#include "mqtt/testing/any_packet.h"

namespace {

using namespace mqgw::mqtt;
using mqgw::mqtt::testing::AnyPacket;

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "mqtt_fuzz: %s\n", what);
  std::abort();
}

struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

// The version a packet is re-encoded with: a CONNECT carries its own.
Version versionOf(const AnyPacket& p, Version connectionVersion) {
  if (const auto* c = std::get_if<Connect>(&p)) return c->version;
  return connectionVersion;
}

void checkRoundTrip(const AnyPacket& decoded, Version v) {
  const Version ev = versionOf(decoded, v);
  Buffer first;
  mqgw::mqtt::testing::encodeAny(decoded, ev, first);
  if (const auto* p = std::get_if<Publish>(&decoded)) {
    if (publishSize(*p, ev) != first.size()) bug("publishSize differs from encoding");
  }
  FrameResult fr = readFrame(first, 0xFFFFFFFFu);
  if (fr.status != Status::Ok || fr.frame.size != first.size()) bug("re-encoding has no frame");
  AnyPacket again;
  if (auto err = mqgw::mqtt::testing::decodeAny(fr.frame, ev, again)) {
    std::fprintf(stderr, "decode error: %s\n", err->what);
    bug("re-encoding does not decode");
  }
  if (!mqgw::mqtt::testing::sameFields(decoded, again)) bug("round trip changed fields");
  Buffer second;
  mqgw::mqtt::testing::encodeAny(again, ev, second);
  if (second != first) bug("encoding is not stable");
}

void handleFrame(const Frame& f, Version v, const Buffer& acc) {
  const uint8_t* lo = acc.data();
  const uint8_t* hi = acc.data() + acc.size();
  if (f.body.data() < lo || f.body.data() + f.body.size() > hi) bug("frame body outside input");
  AnyPacket decoded;
  if (!mqgw::mqtt::testing::decodeAny(f, v, decoded)) checkRoundTrip(decoded, v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Version v = data[0] % 3 == 0 ? Version::V31
      : data[0] % 3 == 1            ? Version::V311
                                    : Version::V5;
  Rng rng{0x9E3779B9u ^ (uint32_t(data[0]) * 2654435761u) ^ uint32_t(size)};
  const uint32_t maxPacketSize = (data[0] & 0x80) ? 256 : 0xFFFFFFFFu;
  const uint8_t* in = data + 1;
  size_t left = size - 1;

  Buffer acc;
  size_t start = 0;  // first unconsumed byte in acc
  while (left > 0) {
    const size_t chunk = std::min<size_t>(left, 1 + rng.next() % 48);
    acc.insert(acc.end(), in, in + chunk);
    in += chunk;
    left -= chunk;
    for (;;) {
      FrameResult fr = readFrame(std::span(acc).subspan(start), maxPacketSize);
      if (fr.status == Status::Error) return 0;  // a real connection closes here
      if (fr.status == Status::NeedMore) break;
      if (fr.frame.size == 0 || fr.frame.size > acc.size() - start) bug("bad frame size");
      handleFrame(fr.frame, v, acc);
      start += fr.frame.size;
    }
    acc.erase(acc.begin(), acc.begin() + ptrdiff_t(start));  // compact, as a read buffer does
    start = 0;
  }
  return 0;
}
