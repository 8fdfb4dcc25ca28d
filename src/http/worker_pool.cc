#include "http/worker_pool.h"

#include <utility>

namespace facepass::http {

WorkerPool::WorkerPool(int threads, size_t queue_limit)
    : threads_(threads < 1 ? 1 : threads), queue_limit_(queue_limit) {}

WorkerPool::~WorkerPool() { Shutdown(std::chrono::milliseconds(0)); }

void WorkerPool::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!workers_.empty() || exit_) return;
  accepting_ = true;
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { Loop(); });
}

bool WorkerPool::TrySubmit(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
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
    std::unique_lock<std::mutex> lock(mu_);
    accepting_ = false;
    idle_cv_.wait_for(lock, drain, [this] { return queue_.empty() && running_ == 0; });
    dropped.swap(queue_);
    exit_ = true;
    workers.swap(workers_);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers) t.join();
  // Dropped tasks are destroyed here, outside the lock.
}

size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkerPool::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

void WorkerPool::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return exit_ || !queue_.empty(); });
    if (exit_) return;
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    try {
      task();
    } catch (...) {
      // Tasks catch their own errors; this only keeps the thread alive.
    }
    task = nullptr;  // destroy captured state outside the lock
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_cv_.notify_all();
  }
}

}  // namespace facepass::http
