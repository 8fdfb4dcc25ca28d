// Limits failed authentications per source address: more than `max_failures`
// within `window` blocks that address for `block` (HTTP 429), so a key
// cannot be guessed online and a broken device cannot flood the audit log.
// Thread-safe. Memory is bounded: at most `max_tracked` addresses are kept,
// expired ones dropped first.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "common/thread_annotations.h"

namespace facepass::auth {

using Clock = std::function<int64_t()>;  // ms; injected so tests need not sleep

class FailureLimiter {
 public:
  struct Options {
    int max_failures = 20;
    int64_t window_ms = 60'000;
    int64_t block_ms = 60'000;
    size_t max_tracked = 100'000;
  };
  FailureLimiter(Options opts, Clock clock);

  // ms left of a block on this address; 0 when it may try.
  int64_t BlockedFor(const std::string& ip) EXCLUDES(mu_);
  // Counts one failure; true when this one starts a block.
  bool RecordFailure(const std::string& ip) EXCLUDES(mu_);
  // Addresses held now (never above max_tracked).
  size_t TrackedCount() EXCLUDES(mu_);

 private:
  struct Entry {
    int64_t window_start = 0;
    int failures = 0;
    int64_t blocked_until = 0;
  };
  void EvictLocked(int64_t now) REQUIRES(mu_);

  const Options opts_;
  const Clock clock_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace facepass::auth
