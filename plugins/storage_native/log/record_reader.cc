#include "log/record_reader.h"

#include <algorithm>

#include "log/record_format.h"

namespace mqgw::nlog {

const char* describeRecordStatus(RecordStatus s) {
  switch (s) {
    case RecordStatus::Ok: return "ok";
    case RecordStatus::End: return "end";
    case RecordStatus::Torn: return "record runs past end of file";
    case RecordStatus::BadLength: return "record length above maximum";
    case RecordStatus::BadCrc: return "record checksum mismatch";
    case RecordStatus::BadOffset: return "record offset out of sequence";
    case RecordStatus::IoError: return "read error";
  }
  return "?";
}

RecordCursor::RecordCursor(FileOps& ops, int fd, uint64_t limit, uint32_t max_record_bytes,
                           size_t chunk_bytes)
    : ops_(ops),
      fd_(fd),
      limit_(limit),
      max_record_bytes_(max_record_bytes),
      chunk_bytes_(std::max<size_t>(chunk_bytes, kRecordHeaderSize)) {}

bool RecordCursor::fill(uint64_t pos, uint64_t need, bool* io_error) {
  *io_error = false;
  if (pos >= window_pos_ && pos + need <= window_pos_ + window_len_) return true;
  uint64_t want = std::min<uint64_t>(std::max<uint64_t>(need, chunk_bytes_), limit_ - pos);
  if (buf_.size() < want) buf_.resize(want);
  ssize_t n = readUpTo(ops_, fd_, buf_.data(), want, pos);
  if (n < 0) {
    error_ = static_cast<int>(n);
    *io_error = true;
    window_len_ = 0;
    return false;
  }
  window_pos_ = pos;
  window_len_ = static_cast<uint64_t>(n);
  return window_len_ >= need;
}

RecordStatus RecordCursor::next(uint64_t pos, RecordView* view, uint64_t* size) {
  if (pos >= limit_) return RecordStatus::End;
  if (limit_ - pos < kRecordHeaderSize) return RecordStatus::Torn;
  bool io_error = false;
  if (!fill(pos, kRecordHeaderSize, &io_error)) {
    return io_error ? RecordStatus::IoError : RecordStatus::Torn;
  }
  const uint8_t* frame = buf_.data() + (pos - window_pos_);
  RecordHeader h = decodeRecordHeader(frame);
  if (h.body_len > max_record_bytes_) return RecordStatus::BadLength;
  uint64_t total = frameSize(h.body_len);
  if (total > limit_ - pos) return RecordStatus::Torn;
  if (!fill(pos, total, &io_error)) return io_error ? RecordStatus::IoError : RecordStatus::Torn;
  frame = buf_.data() + (pos - window_pos_);
  if (!frameCrcMatches(frame, h.body_len)) return RecordStatus::BadCrc;
  view->offset = h.offset;
  view->timestamp_ms = h.timestamp_ms;
  view->body = {frame + kRecordHeaderSize, h.body_len};
  *size = total;
  return RecordStatus::Ok;
}

}  // namespace mqgw::nlog
