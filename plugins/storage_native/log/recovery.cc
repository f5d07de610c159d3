// Opening existing segments: header checks, index validation and rebuild, torn-tail repair of
// the last segment, and the bit-rot policy for closed segments (report, then end the segment at
// the last good record; never fail open for it).
#include <fcntl.h>

#include <cstdint>
#include <string>

#include "log/segment.h"

namespace mqgw::nlog {
namespace {

constexpr size_t kScanChunk = 1u << 20;

struct ScanOutcome {
  uint64_t end_pos;  // end of the last good record
  uint64_t next_offset;
  uint64_t last_timestamp_ms = 0;
  uint64_t records = 0;
  RecordStatus status = RecordStatus::End;
  int error = 0;
};

// Verifies records from (pos, offset) up to `limit`, feeding the index builder. Stops at the
// first bad record or at one whose offset reaches offset_limit.
ScanOutcome scanRecords(const SegmentEnv& env, int fd, uint64_t limit, uint64_t pos,
                        uint64_t offset, uint64_t offset_limit, IndexBuilder* index) {
  RecordCursor cursor(*env.ops, fd, limit, env.max_record_bytes, kScanChunk);
  ScanOutcome out{pos, offset};
  for (;;) {
    RecordView view;
    uint64_t size = 0;
    RecordStatus st = cursor.next(out.end_pos, &view, &size);
    if (st == RecordStatus::Ok && (view.offset != out.next_offset || view.offset >= offset_limit)) {
      st = RecordStatus::BadOffset;
    }
    if (st != RecordStatus::Ok) {
      out.status = st;
      out.error = cursor.error();
      return out;
    }
    index->onRecord(out.next_offset, out.end_pos);
    out.end_pos += size;
    out.next_offset++;
    out.last_timestamp_ms = view.timestamp_ms;
    out.records++;
  }
}

// True when the record at e.position verifies and carries e.offset.
bool entryPointsAtRecord(const SegmentEnv& env, int fd, uint64_t size, const IndexEntry& e) {
  RecordCursor probe(*env.ops, fd, size, env.max_record_bytes, 4096);
  RecordView view;
  uint64_t record_size = 0;
  return probe.next(e.position, &view, &record_size) == RecordStatus::Ok && view.offset == e.offset;
}

int readLogHeader(const SegmentEnv& env, int fd, uint64_t base, const std::string& path) {
  uint8_t header[kFileHeaderSize];
  ssize_t n = readUpTo(*env.ops, fd, header, sizeof(header), 0);
  if (n < 0) return static_cast<int>(n);
  if (static_cast<size_t>(n) == sizeof(header) && validFileHeader(header, kLogMagic, base)) {
    return 0;
  }
  env.message(LogSeverity::Error, "native log: " + path + ": bad segment header; refusing to open");
  return -EBADMSG;
}

std::string where(const Segment& seg, uint64_t pos) {
  return Segment::fileName(seg.baseOffset(), "log") + " at position " + std::to_string(pos);
}

}  // namespace

struct SegmentOpener {
  // Opens both files and reads the .idx; size is the .log file size.
  static int openFiles(Segment& seg, int log_flags, uint64_t* size, LoadedIndex* index) {
    FileOps& ops = *seg.env_->ops;
    int rc = seg.log_fd_ = ops.open(seg.path("log"), log_flags, 0644);
    if (rc < 0) return rc;
    int64_t sz = ops.fileSize(seg.log_fd_);
    if (sz < 0) return static_cast<int>(sz);
    *size = static_cast<uint64_t>(sz);
    if (*size < kFileHeaderSize) return 0;  // caller decides
    rc = readLogHeader(*seg.env_, seg.log_fd_, seg.base_offset_, seg.path("log"));
    if (rc < 0) return rc;
    rc = seg.idx_fd_ = ops.open(seg.path("idx"), O_RDWR | O_CREAT, 0644);
    if (rc < 0) return rc;
    return loadIndexFile(ops, seg.idx_fd_, seg.base_offset_, *size, index);
  }

  // Installs the final index; rewrites the .idx file when it differs from what was loaded.
  static int installIndex(Segment& seg, const LoadedIndex& loaded, std::vector<IndexEntry> entries,
                          uint32_t last_indexed, RecoveryReport* report) {
    bool changed = !loaded.clean || entries != loaded.entries;
    size_t count = entries.size();
    seg.index_.assign(std::move(entries), last_indexed, changed ? 0 : count);
    if (!changed) return 0;
    report->indexes_rebuilt++;
    seg.env_->message(LogSeverity::Warning,
                      "native log: rebuilt index " + Segment::fileName(seg.base_offset_, "idx"));
    return seg.index_.rewrite(*seg.env_->ops, seg.idx_fd_);
  }

  static int openLast(SegmentEnvPtr env, uint64_t base, RecoveryReport* report, SegmentPtr* out) {
    auto seg = std::make_shared<Segment>(env, base);
    uint64_t size = 0;
    LoadedIndex loaded;
    int rc = openFiles(*seg, O_RDWR, &size, &loaded);
    if (rc < 0) return rc;
    if (size < kFileHeaderSize) {  // crashed while creating it: nothing was ever acknowledged
      seg.reset();
      report->segments_reinitialized++;
      env->message(LogSeverity::Warning, "native log: reinitialized " +
                                             Segment::fileName(base, "log") + " (short header)");
      return Segment::create(env, base, true, out);
    }
    // Scan from the last index entry that points at the record it names.
    std::vector<IndexEntry> entries = loaded.entries;
    while (!entries.empty() && !entryPointsAtRecord(*env, seg->log_fd_, size, entries.back())) {
      entries.pop_back();
    }
    IndexEntry start = entries.empty() ? IndexEntry{base, kFileHeaderSize} : entries.back();
    IndexBuilder builder{env->index_interval, start.position, {}};
    ScanOutcome scan =
        scanRecords(*env, seg->log_fd_, size, start.position, start.offset, UINT64_MAX, &builder);
    if (scan.status == RecordStatus::IoError) return scan.error;
    if (scan.status != RecordStatus::End) {
      uint64_t cut = size - scan.end_pos;
      env->message(LogSeverity::Warning,
                   "native log: torn tail in " + where(*seg, scan.end_pos) + " (" +
                       describeRecordStatus(scan.status) + "): cut " + std::to_string(cut) +
                       " bytes, next offset " + std::to_string(scan.next_offset));
      rc = env->ops->truncate(seg->log_fd_, scan.end_pos);
      if (rc == 0) rc = env->ops->datasync(seg->log_fd_);
      if (rc < 0) return rc;
      report->tail_truncations++;
      report->tail_bytes_truncated += cut;
    }
    entries.insert(entries.end(), builder.added.begin(), builder.added.end());
    rc = installIndex(*seg, loaded, std::move(entries), builder.last_indexed_pos, report);
    if (rc < 0) return rc;
    seg->setWritten(scan.end_pos, scan.next_offset, scan.last_timestamp_ms);
    *out = std::move(seg);
    return 0;
  }

  static int openClosed(SegmentEnvPtr env, uint64_t base, uint64_t next_base, bool verify,
                        RecoveryReport* report, SegmentPtr* out) {
    auto seg = std::make_shared<Segment>(env, base);
    uint64_t size = 0;
    LoadedIndex loaded;
    int rc = openFiles(*seg, O_RDONLY, &size, &loaded);
    if (rc < 0) return rc;
    if (size < kFileHeaderSize) {
      env->message(LogSeverity::Error, "native log: " + Segment::fileName(base, "log") +
                                           " is shorter than its header; refusing to open");
      return -EBADMSG;
    }
    bool index_ok = loaded.clean &&
                    (loaded.entries.empty() ||
                     (loaded.entries.back().offset < next_base &&
                      entryPointsAtRecord(*env, seg->log_fd_, size, loaded.entries.back())));
    bool full_scan = verify || !index_ok;
    std::vector<IndexEntry> entries = full_scan ? std::vector<IndexEntry>{} : loaded.entries;
    IndexEntry start = entries.empty() ? IndexEntry{base, kFileHeaderSize} : entries.back();
    IndexBuilder builder{env->index_interval, start.position, {}};
    ScanOutcome scan =
        scanRecords(*env, seg->log_fd_, size, start.position, start.offset, next_base, &builder);
    if (scan.status == RecordStatus::IoError) return scan.error;
    entries.insert(entries.end(), builder.added.begin(), builder.added.end());
    rc = installIndex(*seg, loaded, std::move(entries), builder.last_indexed_pos, report);
    if (rc < 0) return rc;
    if (scan.status != RecordStatus::End || scan.next_offset != next_base) {
      report->corrupt_segments++;
      env->message(LogSeverity::Error,
                   "native log: corrupt closed segment: " + where(*seg, scan.end_pos) + " (" +
                       (scan.status == RecordStatus::End ? "records missing"
                                                         : describeRecordStatus(scan.status)) +
                       "); offsets " + std::to_string(scan.next_offset) + ".." +
                       std::to_string(next_base - 1) + " are unreadable");
    }
    seg->setWritten(scan.end_pos, scan.next_offset, scan.last_timestamp_ms);
    seg->closeIndexFile();
    *out = std::move(seg);
    return 0;
  }
};

int Segment::openLast(SegmentEnvPtr env, uint64_t base_offset, RecoveryReport* report,
                      SegmentPtr* out) {
  return SegmentOpener::openLast(std::move(env), base_offset, report, out);
}

int Segment::openClosed(SegmentEnvPtr env, uint64_t base_offset, uint64_t next_base, bool verify,
                        RecoveryReport* report, SegmentPtr* out) {
  return SegmentOpener::openClosed(std::move(env), base_offset, next_base, verify, report, out);
}

}  // namespace mqgw::nlog
