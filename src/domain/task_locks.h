// Background work that should run on one node of an installation at a time
// (the capture and audit purges, issue 27): several nodes sharing one store
// would otherwise each walk the same rows every interval. A store shared by
// several processes hands out an installation-wide lock per task name; a
// single-process store (SQLite, held by its directory lock) has none, and its
// one process runs everything.
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"

namespace facepass::domain {

class TaskLocks {
 public:
  virtual ~TaskLocks() = default;
  // Runs fn while holding the lock named `task`; false, without running fn,
  // when another process holds it. The lock goes with the process: one that
  // dies mid-task frees it. Unavailable when the store is.
  virtual Result<bool> RunAlone(std::string_view task, const std::function<void()>& fn) = 0;
};

// Runs fn under `locks` (nullptr: at once); false when another process ran it.
inline Result<bool> RunAlone(TaskLocks* locks, std::string_view task, const std::function<void()>& fn) {
  if (locks == nullptr) {
    fn();
    return true;
  }
  return locks->RunAlone(task, fn);
}

}  // namespace facepass::domain
