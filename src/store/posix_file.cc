#include "store/posix_file.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/write_fault.h"

namespace facepass::store {

Result<size_t> ReadUpTo(int fd, void* data, size_t size, const std::string& what) {
  char* p = static_cast<char*>(data);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("read " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

Status WriteAllAndSync(int fd, const void* data, size_t size, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  if (InjectedNoSpace()) {
    errno = ENOSPC;
    return Status::IoError("write " + what + ": " + std::strerror(errno) + " (FACEPASS_TEST_ENOSPC_FILE)");
  }
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

Status ReplaceFileAtomically(const std::filesystem::path& file, std::string_view data) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("open " + tmp.string() + ": " + std::strerror(errno));
  {
    FdCloser closer(fd);
    FP_RETURN_IF_ERROR(WriteAllAndSync(fd, data.data(), data.size(), tmp.string()));
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0)
    return Status::IoError("rename " + tmp.string() + ": " + std::strerror(errno));
  return SyncDir(file.has_parent_path() ? file.parent_path() : std::filesystem::path("."));
}

}  // namespace facepass::store
