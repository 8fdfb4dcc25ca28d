// One process per data directory: an advisory flock(2) on <dir>/.lock, held
// by the server for its lifetime and by `facepass reindex`. The kernel drops
// it when the holder exits, even by kill -9, so there is no stale lock.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"

namespace facepass::store {

class DirLock {
 public:
  // Unavailable when another process holds it; IoError if it cannot be taken.
  static Result<std::unique_ptr<DirLock>> Acquire(const std::filesystem::path& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace facepass::store
