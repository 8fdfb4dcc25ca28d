// A fixed set of threads running tasks from a bounded FIFO queue. Submitting
// never blocks: when `queue_limit` tasks already wait, TrySubmit says no and
// the caller answers SERVICE_BUSY.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"

namespace facepass::http {

class WorkerPool {
 public:
  using Task = std::function<void()>;

  // threads >= 1. At most threads + queue_limit tasks are taken at a time
  // (running or waiting): queue_limit tasks may wait while all threads work.
  WorkerPool(int threads, size_t queue_limit);
  ~WorkerPool();  // Shutdown(std::chrono::seconds(0)) if still running
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Start() EXCLUDES(mu_);  // creates the threads (they inherit the caller's signal mask)

  // Queues the task; false (task not taken) when the queue is full or the pool
  // is shut down. Tasks must not throw (the pool catches and drops anything).
  bool TrySubmit(Task task) EXCLUDES(mu_);

  // Stops taking tasks, lets queued and running tasks finish for up to
  // `drain`, then drops what is still queued and joins the threads (a task
  // already running is always waited for: threads cannot be interrupted).
  void Shutdown(std::chrono::milliseconds drain) EXCLUDES(mu_);

  size_t queued() const EXCLUDES(mu_);
  size_t running() const EXCLUDES(mu_);

 private:
  void Loop() EXCLUDES(mu_);

  const int threads_;
  const size_t queue_limit_;
  mutable Mutex mu_;
  std::condition_variable_any work_cv_;  // a task arrived or stopping
  std::condition_variable_any idle_cv_;  // queue empty and nothing running
  std::deque<Task> queue_ GUARDED_BY(mu_);
  size_t running_ GUARDED_BY(mu_) = 0;
  bool accepting_ GUARDED_BY(mu_) = false;
  bool exit_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_ GUARDED_BY(mu_);
};

}  // namespace facepass::http
