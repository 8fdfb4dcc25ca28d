#include "index/thread_pool.h"

#include <atomic>
#include <memory>

namespace facepass::index {

ThreadPool::ThreadPool(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> job;
    {
      MutexLock lock(&mu_);
      while (!stop_ && queue_.empty()) cv_.wait(mu_);
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1 || threads_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  // Work items are claimed from a shared counter, so the caller and whichever
  // workers are free share the slices; a busy pool only means less parallelism.
  struct Shared {
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    // Guards no data (the counters are atomic): the last slice notifies
    // holding it, so the caller cannot miss the wake-up between its test of
    // `done` and its wait.
    Mutex mu;
    std::condition_variable_any cv;
  };
  auto sh = std::make_shared<Shared>();
  auto drain = [sh, n, &fn] {
    for (size_t i; (i = sh->next.fetch_add(1)) < n;) {
      fn(i);
      if (sh->done.fetch_add(1) + 1 == n) {
        MutexLock lock(&sh->mu);
        sh->cv.notify_all();
      }
    }
  };
  size_t helpers = std::min(n - 1, threads_.size());
  {
    MutexLock lock(&mu_);
    for (size_t i = 0; i < helpers; ++i) queue_.push_back(drain);
  }
  if (helpers == 1) cv_.notify_one(); else cv_.notify_all();
  drain();
  MutexLock lock(&sh->mu);
  while (sh->done.load() != n) sh->cv.wait(sh->mu);
}

}  // namespace facepass::index
