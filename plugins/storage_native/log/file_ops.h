#pragma once
// Every system call the log makes goes through FileOps, so tests can count fsyncs and make
// writes fail with ENOSPC or EIO on demand. Methods return >= 0 on success and -errno on failure.
// Implementations must be thread-safe: readers call pread from any thread.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mqgw::nlog {

class FileOps {
 public:
  virtual ~FileOps() = default;
  virtual int open(const std::string& path, int flags, int mode) = 0;  // fd or -errno
  virtual int close(int fd) = 0;
  virtual ssize_t pread(int fd, void* buf, size_t len, uint64_t pos) = 0;
  virtual ssize_t pwrite(int fd, const void* buf, size_t len, uint64_t pos) = 0;
  virtual int datasync(int fd) = 0;  // fdatasync: data and the file size, not mtime
  virtual int truncate(int fd, uint64_t size) = 0;
  virtual int64_t fileSize(int fd) = 0;
  virtual int unlink(const std::string& path) = 0;
  virtual int syncDir(const std::string& dir) = 0;  // makes created/deleted names durable
  virtual int listDir(const std::string& dir, std::vector<std::string>* names) = 0;
};

// The real thing; stateless, shared by every log in the process.
FileOps& posixFileOps();

// Writes all of buf, continuing after short writes and EINTR. 0 or -errno; a write that makes
// no progress reports -ENOSPC.
int writeAll(FileOps& ops, int fd, const void* buf, size_t len, uint64_t pos);

// Reads up to len bytes, continuing after short reads; stops early only at end of file.
// Returns the bytes read or -errno.
ssize_t readUpTo(FileOps& ops, int fd, void* buf, size_t len, uint64_t pos);

}  // namespace mqgw::nlog
