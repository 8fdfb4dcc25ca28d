#include "store/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace facepass::store {

Result<std::unique_ptr<DirLock>> DirLock::Acquire(const std::filesystem::path& dir) {
  const auto file = dir / ".lock";
  // O_CLOEXEC: a child process must not keep the directory locked.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + file.string() + ": " + std::strerror(errno));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::Unavailable("data directory " + dir.string() +
                                 " is in use by another facepass process (a running server or reindex); stop it first");
    return Status::IoError("flock " + file.string() + ": " + std::strerror(err));
  }
  return std::unique_ptr<DirLock>(new DirLock(fd));
}

DirLock::~DirLock() { ::close(fd_); }  // closing the descriptor releases the lock

}  // namespace facepass::store
