#include "log/file_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mqgw::nlog {
namespace {

int negErrno() { return errno != 0 ? -errno : -EIO; }

class PosixFileOps final : public FileOps {
 public:
  int open(const std::string& path, int flags, int mode) override {
    int fd;
    do {
      fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return fd >= 0 ? fd : negErrno();
  }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : negErrno(); }
  ssize_t pread(int fd, void* buf, size_t len, uint64_t pos) override {
    ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(pos));
    return n >= 0 ? n : negErrno();
  }
  ssize_t pwrite(int fd, const void* buf, size_t len, uint64_t pos) override {
    ssize_t n = ::pwrite(fd, buf, len, static_cast<off_t>(pos));
    return n >= 0 ? n : negErrno();
  }
  int datasync(int fd) override { return ::fdatasync(fd) == 0 ? 0 : negErrno(); }
  int truncate(int fd, uint64_t size) override {
    return ::ftruncate(fd, static_cast<off_t>(size)) == 0 ? 0 : negErrno();
  }
  int64_t fileSize(int fd) override {
    struct stat st;
    return ::fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : negErrno();
  }
  int unlink(const std::string& path) override {
    return ::unlink(path.c_str()) == 0 ? 0 : negErrno();
  }
  int syncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return negErrno();
    int rc = ::fsync(fd) == 0 ? 0 : negErrno();
    ::close(fd);
    return rc;
  }
  int listDir(const std::string& dir, std::vector<std::string>* names) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return negErrno();
    names->clear();
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names->push_back(std::move(name));
    }
    ::closedir(d);
    return 0;
  }
};

}  // namespace

FileOps& posixFileOps() {
  static PosixFileOps ops;
  return ops;
}

int writeAll(FileOps& ops, int fd, const void* buf, size_t len, uint64_t pos) {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ops.pwrite(fd, p, len, pos);
    if (n == -EINTR) continue;
    if (n < 0) return static_cast<int>(n);
    if (n == 0) return -ENOSPC;
    p += n;
    pos += static_cast<uint64_t>(n);
    len -= static_cast<size_t>(n);
  }
  return 0;
}

ssize_t readUpTo(FileOps& ops, int fd, void* buf, size_t len, uint64_t pos) {
  auto* p = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ops.pread(fd, p + done, len - done, pos + done);
    if (n == -EINTR) continue;
    if (n < 0) return n;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace mqgw::nlog
