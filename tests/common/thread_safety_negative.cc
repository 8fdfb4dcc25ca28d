// Must NOT compile under clang -Wthread-safety -Werror (ctests
// thread_safety_negative and thread_safety_negative_shared): proof that the annotations of
// common/thread_annotations.h are really checked. FP_CASE picks the mistake.
#include "common/thread_annotations.h"

#if FP_CASE == 1
// A guarded member written without its Mutex.
class Counter {
 public:
  void Bump() { ++n_; }  // no lock: clang must refuse
 private:
  facepass::Mutex mu_;
  int n_ GUARDED_BY(mu_) = 0;
};
#elif FP_CASE == 2
// A write under a reader lock of a SharedMutex.
class Counter {
 public:
  void Bump() {
    facepass::ReaderMutexLock read(&mu_);
    ++n_;  // shared only: clang must refuse
  }
 private:
  facepass::SharedMutex mu_;
  int n_ GUARDED_BY(mu_) = 0;
};
#endif

int main() { Counter c; c.Bump(); }
