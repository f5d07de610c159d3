#pragma once
// Helpers shared by the native log tests: temp dirs, file surgery, a fault-injecting FileOps.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "log/file_ops.h"
#include "log/log.h"

namespace mqgw::nlog::test {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<uint8_t> readFile(const std::string& path);
void writeFile(const std::string& path, const std::vector<uint8_t>& bytes);
uint64_t fileSize(const std::string& path);
void copyDir(const std::string& from, const std::string& to);  // regular files only
std::string segmentFile(uint64_t base, const char* extension);  // "%020llu.<ext>"

// Deterministic body of record i: "rec-<i>-" then filler up to `size` bytes.
std::vector<uint8_t> bodyFor(uint64_t i, size_t size);

struct ReadRecord {
  uint64_t offset;
  uint64_t timestamp_ms;
  std::vector<uint8_t> body;
};
// Reads from `from` to the end, one read() call after another; stops on an error status.
std::vector<ReadRecord> readAll(const Log& log, uint64_t from = 0, size_t max_bytes = 1 << 20,
                                int* last_status = nullptr);

// Small logs with many segments and index entries; a fixed clock.
LogOptions smallOptions(const std::string& dir);

// The golden fixtures (tests/golden/): kGoldenRecords records with these bodies and timestamps,
// written with goldenOptions(). make_golden.cc and golden_test.cc share this definition.
inline constexpr uint64_t kGoldenRecords = 10;
std::vector<uint8_t> goldenBody(uint64_t i);
uint64_t goldenTimestamp(uint64_t i);
LogOptions goldenOptions(const std::string& dir);
int writeGoldenLog(const std::string& dir);  // 0 or -errno

// Passes through to the real syscalls, counting them; fails on demand.
class FaultFileOps final : public FileOps {
 public:
  std::atomic<int> fail_writes{0};       // -errno for every pwrite while non-zero
  std::atomic<int64_t> write_budget{-1};  // >= 0: bytes that may still be written, then ENOSPC
  std::atomic<int> fail_sync{0};
  std::atomic<int> fail_open{0};
  std::atomic<uint64_t> syncs{0}, writes{0}, truncates{0};
  std::function<void()> before_sync;  // set before the log uses it; runs inside datasync()

  int open(const std::string& path, int flags, int mode) override;
  int close(int fd) override { return real_.close(fd); }
  ssize_t pread(int fd, void* buf, size_t len, uint64_t pos) override {
    return real_.pread(fd, buf, len, pos);
  }
  ssize_t pwrite(int fd, const void* buf, size_t len, uint64_t pos) override;
  int datasync(int fd) override;
  int truncate(int fd, uint64_t size) override {
    truncates++;
    return real_.truncate(fd, size);
  }
  int64_t fileSize(int fd) override { return real_.fileSize(fd); }
  int unlink(const std::string& path) override { return real_.unlink(path); }
  int syncDir(const std::string& dir) override { return real_.syncDir(dir); }
  int listDir(const std::string& dir, std::vector<std::string>* names) override {
    return real_.listDir(dir, names);
  }

 private:
  FileOps& real_ = posixFileOps();
};

}  // namespace mqgw::nlog::test
