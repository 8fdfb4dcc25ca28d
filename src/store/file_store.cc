#include "store/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <cerrno>
#include <cstring>

#include "store/posix_file.h"

namespace facepass::store {
namespace {

namespace fs = std::filesystem;
constexpr char kTmpDir[] = "tmp";

std::string Errno(const char* op, const fs::path& p) {
  return std::string(op) + " " + p.string() + ": " + std::strerror(errno);
}

Result<std::string> RandomName() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("RAND_bytes failed");
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : raw) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

bool ValidExtension(std::string_view ext) {
  if (ext.size() > 8) return false;
  for (char c : ext)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

Result<std::unique_ptr<FileStore>> FileStore::Open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / kTmpDir, ec);
  if (ec) return Status::IoError("create " + (dir / kTmpDir).string() + ": " + ec.message());
  // Anything in tmp/ is a write that never completed (crash): never handed out.
  for (const auto& entry : fs::directory_iterator(dir / kTmpDir, ec)) fs::remove(entry.path(), ec);
  FP_RETURN_IF_ERROR(SyncDir(dir));
  return std::unique_ptr<FileStore>(new FileStore(dir));
}

Result<std::string> FileStore::Write(std::string_view bytes, std::string_view extension) {
  if (!ValidExtension(extension)) return Status::InvalidArgument("bad file extension");
  FP_ASSIGN_OR_RETURN(std::string name, RandomName());
  std::string rel = name.substr(0, 2) + "/" + name;
  if (!extension.empty()) rel += "." + std::string(extension);

  const fs::path tmp = dir_ / kTmpDir / (name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError(Errno("create", tmp));
  Status st = WriteAllAndSync(fd, bytes.data(), bytes.size(), tmp.string());
  ::close(fd);

  const fs::path sub = dir_ / name.substr(0, 2);
  if (st.ok()) {
    if (::mkdir(sub.c_str(), 0750) == 0) {
      st = SyncDir(dir_);  // the new subdirectory itself must survive a crash
    } else if (errno != EEXIST) {
      st = Status::IoError(Errno("mkdir", sub));
    }
  }
  const fs::path final_path = dir_ / rel;
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = Status::IoError(Errno("rename", final_path));
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  FP_RETURN_IF_ERROR(SyncDir(sub));
  return rel;
}

Result<fs::path> FileStore::Resolve(const std::string& relative_path) const {
  fs::path p(relative_path);
  if (relative_path.empty() || p.is_absolute()) return Status::InvalidArgument("bad file path");
  for (const auto& part : p) {
    if (part.empty() || part == "." || part == ".." || part == kTmpDir) return Status::InvalidArgument("bad file path");
  }
  return dir_ / p;
}

Result<std::string> FileStore::Read(const std::string& relative_path) const {
  FP_ASSIGN_OR_RETURN(fs::path path, Resolve(relative_path));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("file " + relative_path);
    return Status::IoError(Errno("open", path));
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IoError(Errno("fstat", path));
  if (!S_ISREG(st.st_mode)) return Status::NotFound("file " + relative_path);
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  FP_ASSIGN_OR_RETURN(auto read, ReadUpTo(fd, out.data(), out.size(), path.string()));
  if (read != out.size()) return Status::IoError("short read " + path.string());
  return out;
}

Status FileStore::Remove(const std::string& relative_path) {
  FP_ASSIGN_OR_RETURN(fs::path path, Resolve(relative_path));
  // No directory fsync: a removal lost in a crash only leaves an orphan file.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR)
    return Status::IoError(Errno("unlink", path));
  return Status::OK();
}

}  // namespace facepass::store
