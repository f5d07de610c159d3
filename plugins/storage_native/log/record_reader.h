#pragma once
// Sequential decoding of records from a .log file through a read window: used by recovery
// scans, index rebuilds and readers. Every record is verified (length bound, CRC) before use.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "log/file_ops.h"

namespace mqgw::nlog {

// A record handed to a reader. body points into a buffer valid only during the visit.
struct RecordView {
  uint64_t offset;
  uint64_t timestamp_ms;
  std::span<const uint8_t> body;
};

// Return false to stop reading.
using RecordVisitor = std::function<bool(const RecordView&)>;

enum class RecordStatus {
  Ok,
  End,        // pos == limit: nothing more, cleanly
  Torn,       // header or body runs past the limit (partial write, file shorter than expected)
  BadLength,  // body length above the configured maximum (garbage header)
  BadCrc,     // checksum mismatch: torn, zero-filled or rotted bytes
  BadOffset,  // verifies, but its offset is not the expected next one (stale or misplaced)
  IoError,    // pread failed; see error()
};

const char* describeRecordStatus(RecordStatus s);

class RecordCursor {
 public:
  // Reads [.., limit) of fd; chunk_bytes is the read-ahead size.
  RecordCursor(FileOps& ops, int fd, uint64_t limit, uint32_t max_record_bytes,
               size_t chunk_bytes);

  // Decodes and verifies the record at pos. On Ok, *view stays valid until the next call and
  // *size is its size on disk (header + body).
  RecordStatus next(uint64_t pos, RecordView* view, uint64_t* size);
  int error() const { return error_; }

 private:
  // Makes [pos, pos + need) available in buf_; false on I/O error or when the file ends early.
  bool fill(uint64_t pos, uint64_t need, bool* io_error);

  FileOps& ops_;
  int fd_;
  uint64_t limit_;
  uint32_t max_record_bytes_;
  size_t chunk_bytes_;
  std::vector<uint8_t> buf_;
  uint64_t window_pos_ = 0;
  uint64_t window_len_ = 0;
  int error_ = 0;
};

}  // namespace mqgw::nlog
