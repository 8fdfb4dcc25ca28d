#include "index/thread_pool.h"

#include <atomic>
#include <memory>

namespace facepass::index {

ThreadPool::ThreadPool(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
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
    std::mutex mu;
    std::condition_variable cv;
  };
  auto sh = std::make_shared<Shared>();
  auto drain = [sh, n, &fn] {
    for (size_t i; (i = sh->next.fetch_add(1)) < n;) {
      fn(i);
      if (sh->done.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lk(sh->mu);
        sh->cv.notify_all();
      }
    }
  };
  size_t helpers = std::min(n - 1, threads_.size());
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (size_t i = 0; i < helpers; ++i) queue_.push_back(drain);
  }
  if (helpers == 1) cv_.notify_one(); else cv_.notify_all();
  drain();
  std::unique_lock<std::mutex> lk(sh->mu);
  sh->cv.wait(lk, [&] { return sh->done.load() == n; });
}

}  // namespace facepass::index
