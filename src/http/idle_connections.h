// Connections waiting for their next request, oldest first (issue 13,
// finding 3): when the server nears its connection cap, each new connection
// closes the one idle longest, so idle keep-alives cannot lock new clients
// out. Knows nothing of sockets: a connection registers how it is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

#include "common/thread_annotations.h"

namespace facepass::http {

class IdleConnections {
 public:
  using Evict = std::function<void()>;  // must not block: it is called at accept

  // A connection went idle; the id to give to Leave when it is not any more.
  uint64_t Enter(Evict evict) EXCLUDES(mu_);
  void Leave(uint64_t id) EXCLUDES(mu_);
  // Takes the oldest idle connection off the list and calls its Evict
  // (outside the lock); false when none is idle.
  bool EvictOldest() EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Evict> idle_ GUARDED_BY(mu_);  // ids grow, so the first is the oldest
};

}  // namespace facepass::http
