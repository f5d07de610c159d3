#pragma once
// On-disk format of the native log, version 1. Every integer is little-endian.
//
// A log is a directory of segments. Segment <B> holds the records with offsets B, B+1, ... and
// is stored as two files named by B: "%020llu.log" (data) and "%020llu.idx" (sparse index).
//
// File header (24 bytes, both files; only the magic differs):
//   [0]  u32 magic            'MQLG' in the .log file, 'MQIX' in the .idx file
//   [4]  u16 format version   1
//   [6]  u16 header size      24
//   [8]  u64 base offset      must match the file name
//   [16] u32 reserved         0
//   [20] u32 crc32c of bytes [0, 20)
//
// Record (in the .log file, back to back after the header):
//   [0]  u32 crc32c of bytes [4, 24 + body length): the rest of the header and the body, so a
//        zero-filled tail, a torn write or a record copied to the wrong place never verifies
//   [4]  u32 body length      at most LogOptions::max_record_bytes
//   [8]  u64 offset           dense: one more than the previous record's
//   [16] u64 timestamp        milliseconds since the Unix epoch, set by the writer
//   [24] body                 opaque bytes
//
// Index entry (in the .idx file, back to back after the header, 16 bytes):
//   [0]  u64 offset of an indexed record
//   [8]  u32 position of that record in the .log file
//   [12] u32 crc32c of bytes [0, 12)
// A record gets an entry when it starts at least index_interval bytes after the previously
// indexed position (the end of the file header counts as indexed). The rule depends only on the
// data, so an index rebuilt from the .log file is byte-identical to the one written live.
#include <cstdint>
#include <cstring>
#include <span>

#include "log/crc32c.h"

namespace mqgw::nlog {

inline constexpr uint32_t kLogMagic = 0x474C514Du;    // "MQLG" as bytes on disk
inline constexpr uint32_t kIndexMagic = 0x5849514Du;  // "MQIX" as bytes on disk
inline constexpr uint16_t kFormatVersion = 1;
inline constexpr uint32_t kFileHeaderSize = 24;
inline constexpr uint32_t kRecordHeaderSize = 24;
inline constexpr uint32_t kIndexEntrySize = 16;
// Positions are u32 in the index: a segment (plus one record over the roll limit) stays below.
inline constexpr uint64_t kMaxSegmentFileBytes = 0xFFFFFFFFull;

inline void putU16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
inline void putU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void putU64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline uint16_t getU16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
inline uint32_t getU32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t getU64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

inline void encodeFileHeader(uint8_t* out, uint32_t magic, uint64_t base_offset) {
  putU32(out, magic);
  putU16(out + 4, kFormatVersion);
  putU16(out + 6, static_cast<uint16_t>(kFileHeaderSize));
  putU64(out + 8, base_offset);
  putU32(out + 16, 0);
  putU32(out + 20, crc32c(out, 20));
}

inline bool validFileHeader(const uint8_t* in, uint32_t magic, uint64_t base_offset) {
  return getU32(in) == magic && getU16(in + 4) == kFormatVersion &&
         getU16(in + 6) == kFileHeaderSize && getU64(in + 8) == base_offset &&
         getU32(in + 20) == crc32c(in, 20);
}

struct RecordHeader {
  uint32_t crc;
  uint32_t body_len;
  uint64_t offset;
  uint64_t timestamp_ms;
};

inline RecordHeader decodeRecordHeader(const uint8_t* in) {
  return {getU32(in), getU32(in + 4), getU64(in + 8), getU64(in + 16)};
}

// A frame is a record header slot followed by the body. Producers write the length and body
// (stageFrame); the writer thread stamps offset and time and seals the crc (sealFrame).
inline uint64_t frameSize(uint64_t body_len) { return kRecordHeaderSize + body_len; }

inline void stageFrame(uint8_t* out, std::span<const uint8_t> body) {
  std::memset(out, 0, kRecordHeaderSize);
  putU32(out + 4, static_cast<uint32_t>(body.size()));
  if (!body.empty()) std::memcpy(out + kRecordHeaderSize, body.data(), body.size());
}

inline void sealFrame(uint8_t* frame, uint64_t offset, uint64_t timestamp_ms) {
  putU64(frame + 8, offset);
  putU64(frame + 16, timestamp_ms);
  uint32_t body_len = getU32(frame + 4);
  putU32(frame, crc32c(frame + 4, kRecordHeaderSize - 4 + body_len));
}

inline bool frameCrcMatches(const uint8_t* frame, uint32_t body_len) {
  return getU32(frame) == crc32c(frame + 4, kRecordHeaderSize - 4 + body_len);
}

struct IndexEntry {
  uint64_t offset;
  uint32_t position;
  bool operator==(const IndexEntry&) const = default;
};

inline void encodeIndexEntry(uint8_t* out, const IndexEntry& e) {
  putU64(out, e.offset);
  putU32(out + 8, e.position);
  putU32(out + 12, crc32c(out, 12));
}

inline bool decodeIndexEntry(const uint8_t* in, IndexEntry* e) {
  if (getU32(in + 12) != crc32c(in, 12)) return false;
  e->offset = getU64(in);
  e->position = getU32(in + 8);
  return true;
}

}  // namespace mqgw::nlog
