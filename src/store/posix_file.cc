#include "store/posix_file.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace facepass::store {

Status WriteAllAndSync(int fd, const void* data, size_t size, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("write " + what + ": " + std::strerror(errno));
    p += n;
    size -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return Status::IoError("fsync " + what + ": " + std::strerror(errno));
  return Status::OK();
}

Status SyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open dir " + dir.string() + ": " + std::strerror(errno));
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return Status::IoError("fsync dir " + dir.string() + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace facepass::store
