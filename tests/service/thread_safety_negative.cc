// Must NOT compile under clang -Wthread-safety -Werror (ctest thread_safety_negative):
// proof that the annotations of common/thread_annotations.h are really checked.
#include "common/thread_annotations.h"
class Counter {
 public:
  void Bump() { ++n_; }  // no lock: clang must refuse
 private:
  facepass::Mutex mu_;
  int n_ GUARDED_BY(mu_) = 0;
};
int main() { Counter c; c.Bump(); }
