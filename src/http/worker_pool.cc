#include "http/worker_pool.h"

#include <utility>

namespace facepass::http {

WorkerPool::WorkerPool(int threads, size_t queue_limit)
    : threads_(threads < 1 ? 1 : threads), queue_limit_(queue_limit) {}

WorkerPool::~WorkerPool() { Shutdown(std::chrono::milliseconds(0)); }

void WorkerPool::Start() {
  MutexLock lock(&mu_);
  if (!workers_.empty() || exit_) return;
  accepting_ = true;
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { Loop(); });
}

bool WorkerPool::TrySubmit(Task task) {
  {
    MutexLock lock(&mu_);
    // Waiting tasks beyond the idle workers may number at most queue_limit_.
    if (!accepting_ || queue_.size() + running_ >= static_cast<size_t>(threads_) + queue_limit_) return false;
    queue_.push_back(std::move(task));
  }
  work_cv_.notify_one();
  return true;
}

void WorkerPool::Shutdown(std::chrono::milliseconds drain) {
  std::deque<Task> dropped;
  std::vector<std::thread> workers;
  {
    MutexLock lock(&mu_);
    accepting_ = false;
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (!(queue_.empty() && running_ == 0)) {
      if (idle_cv_.wait_until(mu_, deadline) == std::cv_status::timeout) break;
    }
    dropped.swap(queue_);
    exit_ = true;
    workers.swap(workers_);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers) t.join();
  // Dropped tasks are destroyed here, outside the lock.
}

size_t WorkerPool::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

size_t WorkerPool::running() const {
  MutexLock lock(&mu_);
  return running_;
}

void WorkerPool::Loop() {
  while (true) {
    Task task;
    {
      MutexLock lock(&mu_);
      while (!exit_ && queue_.empty()) work_cv_.wait(mu_);
      if (exit_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      task();
    } catch (...) {
      // Tasks catch their own errors; this only keeps the thread alive.
    }
    task = nullptr;  // destroy captured state outside the lock
    MutexLock lock(&mu_);
    --running_;
    if (queue_.empty() && running_ == 0) idle_cv_.notify_all();
  }
}

}  // namespace facepass::http
