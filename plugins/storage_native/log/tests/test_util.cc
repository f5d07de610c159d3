#include "test_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "log/segment.h"

namespace mqgw::nlog::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = "/tmp/nlog-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

uint64_t fileSize(const std::string& path) { return fs::file_size(path); }

void copyDir(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    if (entry.is_regular_file() && entry.path().filename() != "LOCK") {
      fs::copy_file(entry.path(), fs::path(to) / entry.path().filename(),
                    fs::copy_options::overwrite_existing);
    }
  }
}

std::string segmentFile(uint64_t base, const char* extension) {
  return Segment::fileName(base, extension);
}

std::vector<uint8_t> bodyFor(uint64_t i, size_t size) {
  std::string prefix = "rec-" + std::to_string(i) + "-";
  std::vector<uint8_t> body(size);
  for (size_t k = 0; k < size; ++k) {
    body[k] = k < prefix.size() ? static_cast<uint8_t>(prefix[k])
                                : static_cast<uint8_t>('a' + (i + k) % 26);
  }
  return body;
}

std::vector<ReadRecord> readAll(const Log& log, uint64_t from, size_t max_bytes,
                                int* last_status) {
  std::vector<ReadRecord> out;
  uint64_t next = from;
  int status = 0;
  for (;;) {
    ReadResult r = log.read(next, max_bytes, [&](const RecordView& v) {
      out.push_back({v.offset, v.timestamp_ms, {v.body.begin(), v.body.end()}});
      return true;
    });
    status = r.status;
    if (r.status != 0 || r.records == 0) break;
    next = r.next_offset;
  }
  if (last_status != nullptr) *last_status = status;
  return out;
}

LogOptions smallOptions(const std::string& dir) {
  LogOptions o;
  o.dir = dir;
  o.segment_bytes = 1024;
  o.index_interval_bytes = 128;
  o.max_record_bytes = 4096;
  o.clock_ms = [] { return uint64_t{1700000000000}; };
  return o;
}

std::vector<uint8_t> goldenBody(uint64_t i) {
  std::string text = "golden-" + std::to_string(i) + ":";
  text.resize(10 + i * 13 % 40, static_cast<char>('A' + i));
  return {text.begin(), text.end()};
}

uint64_t goldenTimestamp(uint64_t i) { return 1700000000000ull + 1000 * i; }

LogOptions goldenOptions(const std::string& dir) {
  LogOptions o;
  o.dir = dir;
  o.segment_bytes = 256;
  o.index_interval_bytes = 64;
  o.max_record_bytes = 4096;
  return o;
}

int writeGoldenLog(const std::string& dir) {
  LogOptions o = goldenOptions(dir);
  auto next = std::make_shared<uint64_t>(0);
  o.clock_ms = [next] { return goldenTimestamp((*next)++); };  // one clock read per append
  std::unique_ptr<Log> log;
  if (int rc = Log::open(o, &log); rc < 0) return rc;
  for (uint64_t i = 0; i < kGoldenRecords; ++i) {
    if (int rc = log->append(goldenBody(i), nullptr); rc < 0) return rc;
  }
  return 0;
}

int FaultFileOps::open(const std::string& path, int flags, int mode) {
  if (int err = fail_open.load(); err != 0 && (flags & O_CREAT) != 0) return err;
  return real_.open(path, flags, mode);
}

ssize_t FaultFileOps::pwrite(int fd, const void* buf, size_t len, uint64_t pos) {
  writes++;
  if (int err = fail_writes.load(); err != 0) return err;
  int64_t budget = write_budget.load();
  if (budget >= 0) {
    if (budget == 0) return -ENOSPC;
    len = std::min<size_t>(len, static_cast<size_t>(budget));  // a short write, like a full disk
    write_budget.store(budget - static_cast<int64_t>(len));
  }
  return real_.pwrite(fd, buf, len, pos);
}

int FaultFileOps::datasync(int fd) {
  syncs++;
  if (before_sync) before_sync();
  if (int err = fail_sync.load(); err != 0) return err;
  return real_.datasync(fd);
}

}  // namespace mqgw::nlog::test
