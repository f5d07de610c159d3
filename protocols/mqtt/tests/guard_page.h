// Copies bytes so that they end exactly where an inaccessible (PROT_NONE) page begins: any read
// past the end faults at once instead of silently reading neighbouring heap memory.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

namespace mqgw::mqtt::testing {

class GuardedBytes {
 public:
  explicit GuardedBytes(std::span<const uint8_t> data) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t dataPages = data.size() / page + 1;
    length_ = (dataPages + 1) * page;
    void* mem = mmap(nullptr, length_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) std::abort();
    base_ = static_cast<uint8_t*>(mem);
    uint8_t* guard = base_ + dataPages * page;
    if (mprotect(guard, page, PROT_NONE) != 0) std::abort();
    begin_ = guard - data.size();
    size_ = data.size();
    if (size_ != 0) std::memcpy(begin_, data.data(), size_);
  }
  ~GuardedBytes() { munmap(base_, length_); }
  GuardedBytes(const GuardedBytes&) = delete;
  GuardedBytes& operator=(const GuardedBytes&) = delete;

  std::span<const uint8_t> span() const { return {begin_, size_}; }

 private:
  uint8_t* base_ = nullptr;
  size_t length_ = 0;
  uint8_t* begin_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mqgw::mqtt::testing
