// Fixed worker pool for splitting one search over slices of a large group.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"

namespace facepass::index {

class ThreadPool {
 public:
  explicit ThreadPool(int workers);  // workers may be 0: everything runs on the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int workers() const { return static_cast<int>(threads_.size()); }

  // Runs fn(i) for i in [0, n); the caller takes part and returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn) EXCLUDES(mu_);

 private:
  void WorkerLoop() EXCLUDES(mu_);

  Mutex mu_;
  std::condition_variable_any cv_;  // a job arrived or stopping
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // made by the constructor, joined by the destructor
};

}  // namespace facepass::index
