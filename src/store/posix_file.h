// Small POSIX helpers shared by FileStore, TokenCipher and the tools.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace facepass::store {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Reads from fd until `size` bytes or end of file (EINTR retried); the count read.
Result<size_t> ReadUpTo(int fd, void* data, size_t size, const std::string& what);
// Writes all of `data` to fd and fsyncs it; `what` names the file in errors.
Status WriteAllAndSync(int fd, const void* data, size_t size, const std::string& what);
// Replaces `file` with `data` so a crash leaves the old or the new content,
// never a mix: <file>.tmp written and fsynced, renamed over, directory fsynced.
Status ReplaceFileAtomically(const std::filesystem::path& file, std::string_view data);
// fsyncs a directory so a new or renamed entry in it survives a crash.
Status SyncDir(const std::filesystem::path& dir);

}  // namespace facepass::store
