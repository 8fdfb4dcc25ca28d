#include "auth/failure_limiter.h"

#include <utility>

namespace facepass::auth {

FailureLimiter::FailureLimiter(Options opts, Clock clock) : opts_(opts), clock_(std::move(clock)) {}

int64_t FailureLimiter::BlockedFor(const std::string& ip) {
  const int64_t now = clock_();
  MutexLock lock(&mu_);
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.blocked_until <= now) return 0;
  return it->second.blocked_until - now;
}

bool FailureLimiter::RecordFailure(const std::string& ip) {
  const int64_t now = clock_();
  MutexLock lock(&mu_);
  if (entries_.size() >= opts_.max_tracked && !entries_.count(ip)) EvictLocked(now);
  Entry& e = entries_[ip];
  if (e.blocked_until > now) return false;  // already blocked
  if (now - e.window_start >= opts_.window_ms) e = Entry{now, 0, 0};
  if (++e.failures > opts_.max_failures) {
    // A fresh window after the block: the next failure alone does not re-block.
    e = Entry{now + opts_.block_ms, 0, now + opts_.block_ms};
    return true;
  }
  return false;
}

size_t FailureLimiter::TrackedCount() {
  MutexLock lock(&mu_);
  return entries_.size();
}

void FailureLimiter::EvictLocked(int64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& e = it->second;
    if (e.blocked_until <= now && now - e.window_start >= opts_.window_ms)
      it = entries_.erase(it);
    else
      ++it;
  }
  // Still full (an address flood): forget the oldest windows wholesale rather
  // than grow; at worst an attacker gets a few extra tries.
  if (entries_.size() >= opts_.max_tracked) entries_.clear();
}

}  // namespace facepass::auth
