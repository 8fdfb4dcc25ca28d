// Internal: keeps SIGINT/SIGTERM away from the server's own threads so that
// WaitForTerminationSignal()'s sigwait() receives them.
#pragma once

#include <signal.h>

namespace facepass::http {

// Blocks SIGINT and SIGTERM in the calling thread for its lifetime; threads
// created meanwhile inherit the blocked mask. Restores the old mask.
class ScopedTerminationSignalBlock {
 public:
  ScopedTerminationSignalBlock();
  ~ScopedTerminationSignalBlock();
  ScopedTerminationSignalBlock(const ScopedTerminationSignalBlock&) = delete;
  ScopedTerminationSignalBlock& operator=(const ScopedTerminationSignalBlock&) = delete;

 private:
  sigset_t old_;
};

}  // namespace facepass::http
