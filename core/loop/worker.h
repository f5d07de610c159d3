// One worker: a thread running one libuv loop. Every connection, session and subscription lives
// on exactly one worker; other threads reach it only through post() (see decisions/0001).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "loop/task_queue.h"
#include "net/out_chunks.h"

struct mqgw_message;

namespace mqgw {

class Connection;
class Router;

class Worker {
 public:
  Worker(uint32_t index, uint32_t workerCount);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();                            // spawn the thread
  bool post(void (*fn)(void*), void* arg); // any thread; false once the worker stopped
  void requestStop();                      // any thread: close connections, then end the loop
  void join();

  bool finished() const { return finished_.load(std::memory_order_acquire); }
  static Worker* current();  // the worker owning the calling thread, or nullptr
  uint32_t index() const { return index_; }
  uv_loop_t* loop() { return &loop_; }
  uint64_t now() const { return uv_now(&loop_); }
  ChunkPool& pool() { return pool_; }
  Router& router() { return *router_; }

  // A read buffer shared by every connection of this loop (reads are handled synchronously).
  static constexpr size_t kReadBufferSize = 64 * 1024;
  uint8_t* readBuffer() { return readBuffer_.get(); }

  void addConnection(Connection* c);
  void removeConnection(Connection* c);
  size_t connectionCount() const { return connectionCount_; }
  void markDirty(Connection* c);  // flush its output at the end of this loop iteration

  // Hands msg (the caller's ref moves) to worker `to`; batched per loop iteration.
  void forward(uint32_t to, mqgw_message* msg);
  // Posts what forward() batched so far now, ahead of any task posted after this call.
  void flushForwardsNow();

 private:
  static void onAsync(uv_async_t* h);
  static void onCheck(uv_check_t* h);
  static void onSweep(uv_timer_t* h);
  static void onStopTask(void* self);
  void run();
  void flushDirty();
  void flushForwards();
  void closeAll();

  uint32_t index_;
  uv_loop_t loop_{};
  uv_async_t async_{};
  uv_check_t check_{};
  uv_timer_t sweep_{};
  std::thread thread_;
  TaskQueue tasks_;
  ChunkPool pool_;
  std::unique_ptr<uint8_t[]> readBuffer_;
  std::unique_ptr<Router> router_;
  Connection* connections_ = nullptr;  // intrusive list, for idle sweeps and shutdown
  size_t connectionCount_ = 0;
  std::vector<Connection*> dirty_;
  std::vector<Connection*> flushing_;  // the batch being flushed (kept to reuse its capacity)
  std::vector<std::vector<mqgw_message*>> outboxes_;  // per destination worker
  bool stopping_ = false;
  std::atomic<bool> finished_{false};
};

}  // namespace mqgw
