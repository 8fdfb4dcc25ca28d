// Clang thread-safety annotations (-Wthread-safety; the ctest
// thread_safety_check compiles the annotated classes with clang) and a mutex
// that carries them. The macros are no-ops on other compilers.
#pragma once

#include <mutex>

#if defined(__clang__)
#define FP_THREAD_ATTR_(x) __attribute__((x))
#else
#define FP_THREAD_ATTR_(x)
#endif

#define CAPABILITY(x) FP_THREAD_ATTR_(capability(x))
#define SCOPED_CAPABILITY FP_THREAD_ATTR_(scoped_lockable)
#define GUARDED_BY(x) FP_THREAD_ATTR_(guarded_by(x))
#define PT_GUARDED_BY(x) FP_THREAD_ATTR_(pt_guarded_by(x))
#define REQUIRES(...) FP_THREAD_ATTR_(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) FP_THREAD_ATTR_(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) FP_THREAD_ATTR_(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FP_THREAD_ATTR_(release_capability(__VA_ARGS__))

namespace facepass {

// std::mutex with the capability attribute, so clang can check GUARDED_BY.
class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For std::condition_variable_any and the like.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace facepass
