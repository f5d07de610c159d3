// Outbound bytes of a connection live in pooled chunks borrowed from its worker, so an idle
// connection holds no buffer at all and a busy one never reallocates-and-copies. Two sizes: a
// small chunk for the common case of a few small packets per loop iteration (acks, one
// PUBLISH), and a large one once more piles up — so a burst of new connections does not pin
// 16 KiB each in the pool.
#pragma once

#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace mqgw {

struct OutChunk {
  OutChunk* next;
  uint32_t len;
  uint32_t cap;
  uint8_t data[];  // cap bytes
};

class ChunkPool {
 public:
  static constexpr uint32_t kSmall = 512 - sizeof(OutChunk);
  static constexpr uint32_t kLarge = 16 * 1024 - sizeof(OutChunk);

  ~ChunkPool() {
    drain(small_);
    drain(large_);
  }
  // A chunk of at least `want` bytes when want <= kLarge (small ones only for small wants).
  OutChunk* get(size_t want) {
    bool small = want <= kSmall;
    List& l = small ? small_ : large_;
    OutChunk* c = l.head;
    if (c) {
      l.head = c->next;
      --l.count;
    } else {
      uint32_t cap = small ? kSmall : kLarge;
      c = static_cast<OutChunk*>(std::malloc(sizeof(OutChunk) + cap));
      if (!c) std::abort();
      c->cap = cap;
    }
    c->next = nullptr;
    c->len = 0;
    return c;
  }
  void put(OutChunk* c) {
    List& l = c->cap == kSmall ? small_ : large_;
    if (l.count >= kMaxFree) return std::free(c);
    c->next = l.head;
    l.head = c;
    ++l.count;
  }

 private:
  struct List {
    OutChunk* head = nullptr;
    size_t count = 0;
  };
  static void drain(List& l) {
    while (l.head) {
      OutChunk* c = l.head;
      l.head = c->next;
      std::free(c);
    }
  }
  static constexpr size_t kMaxFree = 64;  // ≤ 1 MiB of large and 32 KiB of small per worker
  List small_, large_;
};

// A FIFO of chunks. append() copies into the tail chunk, borrowing new chunks as needed;
// fillIov()/consume() let the socket write straight from the chunks and drop what was sent.
class OutQueue {
 public:
  bool empty() const { return head_ == nullptr; }
  size_t bytes() const { return bytes_; }  // not yet sent
  void append(ChunkPool& pool, const uint8_t* data, size_t len) {
    bytes_ += len;
    while (len > 0) {
      if (!tail_ || tail_->len == tail_->cap) {
        // Small first chunk for a small write; large ones once the queue grows.
        OutChunk* c = pool.get(head_ ? ChunkPool::kLarge : len);
        if (tail_)
          tail_->next = c;
        else
          head_ = c;
        tail_ = c;
      }
      size_t n = std::min<size_t>(len, tail_->cap - tail_->len);
      std::memcpy(tail_->data + tail_->len, data, n);
      tail_->len += static_cast<uint32_t>(n);
      data += n;
      len -= n;
    }
  }
  // Points up to `max` iovecs at the unsent bytes; returns how many.
  int fillIov(struct iovec* iov, int max) const {
    int n = 0;
    uint32_t off = headOffset_;
    for (OutChunk* c = head_; c && n < max; c = c->next, off = 0)
      iov[n++] = {c->data + off, static_cast<size_t>(c->len - off)};
    return n;
  }
  // Drops `n` sent bytes from the front, returning emptied chunks to the pool.
  void consume(ChunkPool& pool, size_t n) {
    bytes_ -= n;
    while (n > 0 && head_) {
      size_t left = head_->len - headOffset_;
      if (n < left) {
        headOffset_ += static_cast<uint32_t>(n);
        return;
      }
      n -= left;
      OutChunk* done = head_;
      head_ = head_->next;
      headOffset_ = 0;
      pool.put(done);
    }
    if (!head_) tail_ = nullptr;
  }
  void release(ChunkPool& pool) { consume(pool, bytes_); }

 private:
  OutChunk* head_ = nullptr;
  OutChunk* tail_ = nullptr;
  size_t bytes_ = 0;
  uint32_t headOffset_ = 0;  // bytes of head_ already sent
};

}  // namespace mqgw
