// A pass that runs now and then on a thread of its own (the retention purges
// of captures and of the audit log): Start() runs one at once, then one every
// interval until Stop() or destruction. RunPass() runs a pass on the caller's
// thread instead; passes never overlap, whichever thread runs them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <thread>
#include <type_traits>
#include <utility>

#include "common/thread_annotations.h"

namespace facepass {

class PeriodicTask {
 public:
  // `pass` is what the thread runs each time; it reports its own outcome.
  explicit PeriodicTask(std::function<void()> pass) : pass_(std::move(pass)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs fn as a pass on the calling thread, after the one in progress (the
  // thread's or another caller's); fn's result.
  template <typename F>
  std::invoke_result_t<F&> RunPass(F&& fn) EXCLUDES(pass_mu_) {
    MutexLock one_at_a_time(&pass_mu_);
    return fn();
  }

  // Start and Stop are called from one thread (the owner's); Start again
  // only after Stop.
  void Start(std::chrono::milliseconds interval) EXCLUDES(loop_mu_) {
    {
      MutexLock lock(&loop_mu_);
      stopping_ = false;
    }
    thread_ = std::thread([this, interval] { Loop(interval); });
  }
  // Runs the next pass now, or right after the one in progress (a change
  // announced elsewhere); the interval then counts from that pass.
  void Wake() EXCLUDES(loop_mu_) {
    {
      MutexLock lock(&loop_mu_);
      woken_ = true;
    }
    wake_.notify_all();
  }
  // Ends the wait at once; a pass in progress is finished first.
  void Stop() EXCLUDES(loop_mu_) {
    {
      MutexLock lock(&loop_mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop(std::chrono::milliseconds interval) EXCLUDES(loop_mu_) {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now();
    for (;;) {
      {
        MutexLock lock(&loop_mu_);
        while (!stopping_ && !woken_ && Clock::now() < next) wake_.wait_until(loop_mu_, next);
        if (stopping_) return;
        woken_ = false;
      }
      RunPass(pass_);
      next = Clock::now() + interval;
    }
  }

  const std::function<void()> pass_;
  Mutex pass_mu_;  // held for each pass
  Mutex loop_mu_;
  std::condition_variable_any wake_;  // stopping_ or woken_ turned true
  bool stopping_ GUARDED_BY(loop_mu_) = false;
  bool woken_ GUARDED_BY(loop_mu_) = false;
  std::thread thread_;  // touched by Start and Stop only, on the owner's thread
};

}  // namespace facepass
