// libFuzzer target for the state topics' record values (plugins/cluster_state/state_record.h),
// which any program with access to the cluster can write. The input is a record value as read
// from Kafka; it goes through every decoder (session, floor, control). At most one may accept it
// (the kind byte decides), and whatever decodes must re-encode to the input's own leading bytes
// (readers ignore trailing bytes; a claim's take-state byte is normalised to 0/1), decode again
// to the same fields, and no shorter prefix of that encoding may decode. The input as a
// compacted key also goes through isFloorKey/floorKey.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state_record.h"

namespace {

using namespace mqgw::cluster;

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "kafka_state_record_fuzz: %s\n", what);
  std::abort();
}

bool same(const SessionRecord& a, const SessionRecord& b) {
  return a.owner == b.owner && a.state == b.state && a.cursor == b.cursor &&
         a.updatedMs == b.updatedMs;
}
bool same(const FloorRecord& a, const FloorRecord& b) {
  return a.node == b.node && a.floor == b.floor && a.updatedMs == b.updatedMs;
}
bool same(const ClaimRecord& a, const ClaimRecord& b) {
  return a.claimId == b.claimId && a.node == b.node && a.clientId == b.clientId &&
         a.takeState == b.takeState && a.timeMs == b.timeMs && a.expectedOwner == b.expectedOwner;
}
bool same(const ReleaseRecord& a, const ReleaseRecord& b) {
  return a.claimId == b.claimId && a.from == b.from && a.to == b.to && a.clientId == b.clientId &&
         a.state == b.state && a.cursor == b.cursor;
}
bool same(const ControlRecord& a, const ControlRecord& b) {
  if (a.index() != b.index()) return false;
  if (const auto* c = std::get_if<ClaimRecord>(&a)) return same(*c, std::get<ClaimRecord>(b));
  return same(std::get<ReleaseRecord>(a), std::get<ReleaseRecord>(b));
}

std::string encodeAny(const SessionRecord& r) { return encode(r); }
std::string encodeAny(const FloorRecord& r) { return encode(r); }
std::string encodeAny(const ControlRecord& r) {
  return std::visit([](const auto& c) { return encode(c); }, r);
}

// Offset of a claim's take-state byte: version, kind, claim id, node, client ID.
size_t takeStateOffset(const ClaimRecord& c) {
  return 2 + 8 + 4 + c.node.size() + 4 + c.clientId.size();
}

// The input's leading bytes as the encoder would write them.
std::string canonicalPrefix(std::string_view input, size_t size, const ControlRecord* control) {
  std::string prefix(input.substr(0, size));
  if (const auto* c = control ? std::get_if<ClaimRecord>(control) : nullptr)
    prefix[takeStateOffset(*c)] = c->takeState ? 1 : 0;
  return prefix;
}

template <typename Record>
void checkRoundTrip(std::string_view input, const Record& decoded, const ControlRecord* control) {
  const std::string encoded = encodeAny(decoded);
  if (encoded.size() > input.size()) bug("encoding is longer than the input it came from");
  if (encoded != canonicalPrefix(input, encoded.size(), control))
    bug("encoding differs from the input's leading bytes");
  Record again;
  if (!decode(encoded, &again)) bug("re-encoding does not decode");
  if (!same(decoded, again)) bug("round trip changed fields");
  if (encodeAny(again) != encoded) bug("encoding is not stable");
  // Every field is required: cutting the encoding anywhere must be refused.
  const size_t cuts[] = {0, encoded.size() / 2, encoded.size() - 1};
  for (size_t cut : cuts) {
    Record partial;
    if (decode(std::string_view(encoded).substr(0, cut), &partial))
      bug("a truncated value decodes");
  }
}

void checkFloorKey(std::string_view key) {
  std::string node;
  if (isFloorKey(key, &node)) {
    if (floorKey(node) != key) bug("floorKey(isFloorKey(key)) != key");
  } else if (key.starts_with(floorKey(""))) {
    bug("a key with the floor prefix is not a floor key");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  int accepted = 0;
  SessionRecord session;
  if (decode(input, &session)) {
    ++accepted;
    checkRoundTrip(input, session, nullptr);
  }
  FloorRecord floor;
  if (decode(input, &floor)) {
    ++accepted;
    checkRoundTrip(input, floor, nullptr);
  }
  ControlRecord control;
  if (decode(input, &control)) {
    ++accepted;
    checkRoundTrip(input, control, &control);
  }
  if (accepted > 1) bug("one value decodes as more than one kind");
  checkFloorKey(input);
  return 0;
}
