#include "http/idle_connections.h"

#include <utility>

namespace facepass::http {

uint64_t IdleConnections::Enter(Evict evict) {
  MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  idle_.emplace(id, std::move(evict));
  return id;
}

void IdleConnections::Leave(uint64_t id) {
  MutexLock lock(&mu_);
  idle_.erase(id);
}

bool IdleConnections::EvictOldest() {
  Evict evict;
  {
    MutexLock lock(&mu_);
    if (idle_.empty()) return false;
    evict = std::move(idle_.begin()->second);
    idle_.erase(idle_.begin());
  }
  if (evict) evict();
  return true;
}

size_t IdleConnections::size() const {
  MutexLock lock(&mu_);
  return idle_.size();
}

}  // namespace facepass::http
