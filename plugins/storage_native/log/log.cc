#include "log/log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <set>

#include "log/segment.h"

namespace mqgw::nlog {
namespace {

// "%020llu.log" / "%020llu.idx" -> base offset; anything else is not ours.
bool parseSegmentName(const std::string& name, const char* extension, uint64_t* base) {
  if (name.size() != 24 || name.compare(20, 4, std::string(".") + extension) != 0) return false;
  if (!std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + 20, *base);
  return ec == std::errc() && ptr == name.data() + 20;
}

int validateOptions(const LogOptions& o) {
  if (o.dir.empty() || o.index_interval_bytes == 0 || o.max_record_bytes == 0) return -EINVAL;
  if (o.segment_bytes <= kFileHeaderSize) return -EINVAL;
  uint64_t worst = o.segment_bytes + frameSize(o.max_record_bytes);
  return worst <= kMaxSegmentFileBytes ? 0 : -EINVAL;
}

// One Log per directory: a second opener (this process or another) gets -EBUSY.
int lockDirectory(const std::string& dir, int* fd_out) {
  int fd = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -errno;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno == EWOULDBLOCK ? -EBUSY : -errno;
    ::close(fd);
    return err;
  }
  *fd_out = fd;
  return 0;
}

}  // namespace

Log::Log(LogOptions options, int lock_fd)
    : options_(std::move(options)),
      ops_(options_.file_ops != nullptr ? options_.file_ops : &posixFileOps()),
      lock_fd_(lock_fd) {
  env_ = std::make_shared<SegmentEnv>(SegmentEnv{ops_, options_.dir, options_.index_interval_bytes,
                                                 options_.max_record_bytes, options_.on_message});
}

Log::~Log() {
  {
    std::lock_guard lock(mu_);
    segments_.clear();
  }
  active_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

int Log::open(LogOptions options, std::unique_ptr<Log>* out) {
  if (int rc = validateOptions(options); rc < 0) return rc;
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return -ec.value();
  int lock_fd = -1;
  if (int rc = lockDirectory(options.dir, &lock_fd); rc < 0) return rc;
  std::unique_ptr<Log> log(new Log(std::move(options), lock_fd));
  if (int rc = log->load(); rc < 0) return rc;
  *out = std::move(log);
  return 0;
}

int Log::load() {
  std::vector<std::string> names;
  if (int rc = ops_->listDir(options_.dir, &names); rc < 0) return rc;
  std::set<uint64_t> logs, indexes;
  for (const auto& name : names) {
    uint64_t base;
    if (parseSegmentName(name, "log", &base)) logs.insert(base);
    if (parseSegmentName(name, "idx", &base)) indexes.insert(base);
  }
  for (uint64_t base : indexes) {
    if (logs.count(base) != 0) continue;  // an .idx whose .log retention already deleted
    ops_->unlink(options_.dir + "/" + Segment::fileName(base, "idx"));
    recovery_.orphan_files_removed++;
  }
  std::vector<SegmentPtr> segments;
  if (logs.empty()) {
    SegmentPtr seg;
    if (int rc = Segment::create(env_, 0, true, &seg); rc < 0) return rc;
    segments.push_back(std::move(seg));
  }
  for (auto it = logs.begin(); it != logs.end(); ++it) {
    auto next = std::next(it);
    SegmentPtr seg;
    int rc = next == logs.end()
                 ? Segment::openLast(env_, *it, &recovery_, &seg)
                 : Segment::openClosed(env_, *it, *next, options_.verify_closed_segments,
                                       &recovery_, &seg);
    if (rc < 0) return rc;
    segments.push_back(std::move(seg));
  }
  recovery_.segments = segments.size();
  active_ = segments.back();
  std::lock_guard lock(mu_);
  segments_ = std::move(segments);
  return 0;
}

uint64_t Log::nowMs() const {
  if (options_.clock_ms) return options_.clock_ms();
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

uint64_t Log::writtenEndOffset() const { return active_->nextOffset(); }

int Log::appendFrames(std::span<uint8_t> frames, uint64_t timestamp_ms, AppendResult* result) {
  uint8_t* data = frames.data();
  const size_t len = frames.size();
  result->first_offset = active_->nextOffset();
  result->rolls = 0;
  size_t pos = 0;
  auto frameAt = [&](size_t p) { return frameSize(getU32(data + p + 4)); };
  while (pos < len) {
    if (len - pos < kRecordHeaderSize || frameAt(pos) > len - pos) return -EINVAL;
    if (!active_->empty() && active_->endPos() + frameAt(pos) > options_.segment_bytes) {
      if (int rc = roll(); rc < 0) return rc;
      result->rolls++;
    }
    // Everything that fits in the active segment goes out in one write.
    IndexBuilder index = active_->indexBuilder();
    const size_t chunk_start = pos;
    uint64_t file_pos = active_->endPos();
    uint64_t offset = active_->nextOffset();
    while (pos < len) {
      if (len - pos < kRecordHeaderSize || frameAt(pos) > len - pos) return -EINVAL;
      uint64_t size = frameAt(pos);
      if (file_pos != kFileHeaderSize && file_pos + size > options_.segment_bytes) break;
      sealFrame(data + pos, offset, timestamp_ms);
      index.onRecord(offset, file_pos);
      file_pos += size;
      pos += size;
      offset++;
    }
    int rc = active_->writeChunk(data + chunk_start, pos - chunk_start,
                                 offset - active_->nextOffset(), timestamp_ms, index);
    if (rc < 0) return rc;
  }
  return 0;
}

int Log::roll() {
  if (options_.sync_on_roll) {
    int rc = active_->sync();
    if (rc == 0) rc = active_->syncIndex();
    if (rc < 0) return rc;
  }
  SegmentPtr next;
  if (int rc = Segment::create(env_, active_->nextOffset(), options_.sync_on_roll, &next); rc < 0) {
    return rc;
  }
  active_->publish();
  active_->closeIndexFile();
  std::lock_guard lock(mu_);
  segments_.push_back(next);
  active_ = std::move(next);
  rolls_++;
  return 0;
}

int Log::sync() { return active_->sync(); }

void Log::publish() { active_->publish(); }

int Log::rollbackUnpublished() { return active_->rollbackToPublished(); }

int Log::append(std::span<const uint8_t> body, uint64_t* offset) {
  if (body.size() > options_.max_record_bytes) return -EMSGSIZE;
  std::vector<uint8_t> frame(frameSize(body.size()));
  stageFrame(frame.data(), body);
  AppendResult result;
  if (int rc = appendFrames(frame, nowMs(), &result); rc < 0) {
    rollbackUnpublished();
    return rc;
  }
  publish();
  if (offset != nullptr) *offset = result.first_offset;
  return 0;
}

bool Log::locate(uint64_t offset, Located* out) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](uint64_t o, const SegmentPtr& s) { return o < s->baseOffset(); });
  if (it == segments_.begin()) return false;
  out->segment = *(it - 1);
  out->active = it == segments_.end();
  out->end_offset = out->active ? out->segment->publishedNextOffset() : (*it)->baseOffset();
  return true;
}

ReadResult Log::read(uint64_t offset, size_t max_bytes, const RecordVisitor& visit) const {
  ReadResult result;
  ReadState state{offset, max_bytes};
  for (;;) {
    Located loc;
    if (!locate(state.next_offset, &loc)) {
      result.status = -ERANGE;
      state.next_offset = startOffset();
      break;
    }
    RecordStatus st = loc.segment->read(&state, visit);
    if (st == RecordStatus::Ok || (st == RecordStatus::End && loc.active)) break;
    if (st == RecordStatus::End && state.next_offset >= loc.end_offset) {
      state.next_offset = loc.end_offset;  // on to the next segment
      continue;
    }
    if (state.records > 0) break;  // deliver what we have; the next read reports the problem
    if (st == RecordStatus::IoError) {
      result.status = -EIO;  // maybe transient: do not skip
      break;
    }
    if (st != RecordStatus::End) {  // a gap found at open was already reported there
      corrupt_reads_.fetch_add(1, std::memory_order_relaxed);
      env_->message(LogSeverity::Error,
                    "native log: " + std::string(describeRecordStatus(st)) + " reading offset " +
                        std::to_string(state.next_offset) + " in " +
                        Segment::fileName(loc.segment->baseOffset(), "log") +
                        "; skipping to offset " + std::to_string(loc.end_offset));
    }
    result.status = -EBADMSG;
    state.next_offset = loc.end_offset;
    break;
  }
  result.next_offset = state.next_offset;
  result.records = state.records;
  return result;
}

uint64_t Log::startOffset() const {
  std::lock_guard lock(mu_);
  return segments_.front()->baseOffset();
}

uint64_t Log::endOffset() const {
  std::lock_guard lock(mu_);
  return segments_.back()->publishedNextOffset();
}

LogStats Log::stats() const {
  std::lock_guard lock(mu_);
  LogStats s;
  s.segments = segments_.size();
  for (const auto& seg : segments_) s.bytes += seg->publishedEndPos();
  s.rolls = rolls_;
  s.segments_deleted = segments_deleted_;
  s.corrupt_reads = corrupt_reads_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace mqgw::nlog
