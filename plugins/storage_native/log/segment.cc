#include "log/segment.h"

#include <fcntl.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace mqgw::nlog {

Segment::Segment(SegmentEnvPtr env, uint64_t base_offset)
    : env_(std::move(env)),
      base_offset_(base_offset),
      next_offset_(base_offset),
      pub_next_offset_(base_offset),
      index_(base_offset, env_->index_interval) {}

Segment::~Segment() {
  if (log_fd_ >= 0) env_->ops->close(log_fd_);
  if (idx_fd_ >= 0) env_->ops->close(idx_fd_);
}

std::string Segment::fileName(uint64_t base_offset, const char* extension) {
  char name[40];
  std::snprintf(name, sizeof(name), "%020" PRIu64 ".%s", base_offset, extension);
  return name;
}

std::string Segment::path(const char* extension) const {
  return env_->dir + "/" + fileName(base_offset_, extension);
}

void Segment::setWritten(uint64_t end_pos, uint64_t next_offset, uint64_t last_timestamp_ms) {
  end_pos_ = end_pos;
  next_offset_ = next_offset;
  last_timestamp_ms_.store(last_timestamp_ms, std::memory_order_relaxed);
  publish();
}

int Segment::create(SegmentEnvPtr env, uint64_t base_offset, bool sync, SegmentPtr* out) {
  auto seg = std::make_shared<Segment>(env, base_offset);
  FileOps& ops = *env->ops;
  const int flags = O_RDWR | O_CREAT | O_TRUNC;
  uint8_t header[kFileHeaderSize];
  int rc = seg->log_fd_ = ops.open(seg->path("log"), flags, 0644);
  if (rc >= 0) rc = seg->idx_fd_ = ops.open(seg->path("idx"), flags, 0644);
  if (rc >= 0) {
    encodeFileHeader(header, kLogMagic, base_offset);
    rc = writeAll(ops, seg->log_fd_, header, sizeof(header), 0);
  }
  if (rc >= 0) {
    encodeFileHeader(header, kIndexMagic, base_offset);
    rc = writeAll(ops, seg->idx_fd_, header, sizeof(header), 0);
  }
  if (rc >= 0 && sync) rc = ops.datasync(seg->log_fd_);
  if (rc >= 0 && sync) rc = ops.datasync(seg->idx_fd_);
  if (rc >= 0 && sync) rc = ops.syncDir(env->dir);
  if (rc < 0) {
    seg->removeFiles();  // never leave a half-made segment for recovery to puzzle over
    return rc;
  }
  seg->index_.assign({}, kFileHeaderSize, 0);
  seg->setWritten(kFileHeaderSize, base_offset, 0);
  *out = std::move(seg);
  return 0;
}

int Segment::writeChunk(const uint8_t* data, size_t len, uint64_t records,
                        uint64_t last_timestamp_ms, const IndexBuilder& index) {
  FileOps& ops = *env_->ops;
  if (needs_truncate_) {
    int rc = ops.truncate(log_fd_, end_pos_);
    if (rc < 0) return rc;
    needs_truncate_ = false;
  }
  int rc = writeAll(ops, log_fd_, data, len, end_pos_);
  if (rc < 0) {
    needs_truncate_ = ops.truncate(log_fd_, end_pos_) != 0;
    return rc;
  }
  end_pos_ += len;
  next_offset_ += records;
  last_timestamp_ms_.store(last_timestamp_ms, std::memory_order_relaxed);
  index_.commit(index);
  if (idx_fd_ >= 0) {
    int irc = index_.persist(ops, idx_fd_);
    if (irc < 0 && !warned_index_) {
      warned_index_ = true;  // the data is safe; recovery rebuilds the index
      env_->message(LogSeverity::Warning, "native log: cannot write index " + path("idx") +
                                              " (errno " + std::to_string(-irc) + ")");
    }
  }
  return 0;
}

int Segment::sync() { return env_->ops->datasync(log_fd_); }

int Segment::syncIndex() { return idx_fd_ >= 0 ? env_->ops->datasync(idx_fd_) : 0; }

void Segment::publish() {
  pub_end_pos_.store(end_pos_, std::memory_order_release);
  pub_next_offset_.store(next_offset_, std::memory_order_release);
}

int Segment::rollbackToPublished() {
  end_pos_ = pub_end_pos_.load(std::memory_order_relaxed);
  next_offset_ = pub_next_offset_.load(std::memory_order_relaxed);
  int rc = env_->ops->truncate(log_fd_, end_pos_);
  needs_truncate_ = rc != 0;
  std::vector<IndexEntry> kept = index_.entries();
  size_t before = kept.size();
  std::erase_if(kept, [&](const IndexEntry& e) { return e.position >= end_pos_; });
  if (kept.size() != before) {
    uint32_t last = kept.empty() ? kFileHeaderSize : kept.back().position;
    index_.assign(std::move(kept), last, 0);
    if (idx_fd_ >= 0) index_.rewrite(*env_->ops, idx_fd_);  // stale entries are also repaired
  }
  return rc;
}

void Segment::closeIndexFile() {
  if (idx_fd_ >= 0) env_->ops->close(idx_fd_);
  idx_fd_ = -1;
}

int Segment::removeFiles() {
  int rc = env_->ops->unlink(path("log"));
  int rc2 = env_->ops->unlink(path("idx"));
  return rc < 0 && rc != -ENOENT ? rc : (rc2 < 0 && rc2 != -ENOENT ? rc2 : 0);
}

RecordStatus Segment::read(ReadState* state, const RecordVisitor& visit) const {
  // Next offset first, then end position: the position is at least as new as the offset.
  const uint64_t published_next = publishedNextOffset();
  const uint64_t limit = publishedEndPos();
  if (state->next_offset >= published_next) return RecordStatus::End;
  IndexEntry start = index_.floor(state->next_offset);
  size_t chunk = std::clamp<size_t>(state->max_bytes + kRecordHeaderSize, 4096, 1u << 20);
  RecordCursor cursor(*env_->ops, log_fd_, limit, env_->max_record_bytes, chunk);
  uint64_t pos = start.position;
  uint64_t expected = start.offset;
  for (;;) {
    RecordView view;
    uint64_t size = 0;
    RecordStatus st = cursor.next(pos, &view, &size);
    if (st == RecordStatus::Ok && view.offset != expected) st = RecordStatus::BadOffset;
    if (st != RecordStatus::Ok) {
      state->next_offset = std::max(state->next_offset, expected);
      return st;
    }
    pos += size;
    ++expected;
    if (view.offset < state->next_offset) continue;
    if (state->records > 0 && state->bytes + view.body.size() > state->max_bytes) {
      state->stopped = true;
      return RecordStatus::Ok;
    }
    state->bytes += view.body.size();
    state->records++;
    state->next_offset = view.offset + 1;
    if (!visit(view)) {
      state->stopped = true;
      return RecordStatus::Ok;
    }
  }
}

}  // namespace mqgw::nlog
