// Outbound bytes of a connection live in pooled chunks borrowed from its worker, so an idle
// connection holds no buffer at all and a busy one never reallocates-and-copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mqgw {

struct OutChunk {
  static constexpr size_t kSize = 16 * 1024 - 32;
  OutChunk* next = nullptr;
  uint32_t len = 0;
  uint8_t data[kSize];
};

class ChunkPool {
 public:
  ~ChunkPool() {
    while (free_) {
      OutChunk* c = free_;
      free_ = c->next;
      delete c;
    }
  }
  OutChunk* get() {
    OutChunk* c = free_;
    if (c) {
      free_ = c->next;
      --freeCount_;
    } else {
      c = new OutChunk;
    }
    c->next = nullptr;
    c->len = 0;
    return c;
  }
  void put(OutChunk* c) {
    if (freeCount_ >= kMaxFree) {
      delete c;
      return;
    }
    c->next = free_;
    free_ = c;
    ++freeCount_;
  }

 private:
  static constexpr size_t kMaxFree = 256;  // bounds pool memory at ~4 MiB per worker
  OutChunk* free_ = nullptr;
  size_t freeCount_ = 0;
};

// A FIFO of chunks. append() copies into the tail chunk, borrowing new chunks as needed.
class OutQueue {
 public:
  bool empty() const { return head_ == nullptr; }
  size_t bytes() const { return bytes_; }
  OutChunk* head() const { return head_; }
  void append(ChunkPool& pool, const uint8_t* data, size_t len) {
    bytes_ += len;
    while (len > 0) {
      if (!tail_ || tail_->len == OutChunk::kSize) {
        OutChunk* c = pool.get();
        if (tail_)
          tail_->next = c;
        else
          head_ = c;
        tail_ = c;
      }
      size_t n = std::min(len, OutChunk::kSize - tail_->len);
      std::memcpy(tail_->data + tail_->len, data, n);
      tail_->len += static_cast<uint32_t>(n);
      data += n;
      len -= n;
    }
  }
  // Moves every chunk out (for a write in flight); the queue is empty afterwards.
  OutChunk* takeAll(size_t* bytes) {
    OutChunk* h = head_;
    *bytes = bytes_;
    head_ = tail_ = nullptr;
    bytes_ = 0;
    return h;
  }
  void release(ChunkPool& pool) {
    size_t ignored;
    releaseList(pool, takeAll(&ignored));
  }
  static void releaseList(ChunkPool& pool, OutChunk* c) {
    while (c) {
      OutChunk* n = c->next;
      pool.put(c);
      c = n;
    }
  }

 private:
  OutChunk* head_ = nullptr;
  OutChunk* tail_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace mqgw
