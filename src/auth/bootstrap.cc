#include "auth/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/key_issuer.h"
#include "store/posix_file.h"

namespace facepass::auth {

Status WriteKeyFile(const std::filesystem::path& file, const std::string& key) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  // 0600 from creation: no moment where another user could read it.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IoError("open " + tmp.string() + ": " + std::strerror(errno));
  {
    store::FdCloser closer(fd);
    if (::fchmod(fd, 0600) != 0) return Status::IoError("chmod " + tmp.string() + ": " + std::strerror(errno));
    const std::string line = key + "\n";
    FP_RETURN_IF_ERROR(store::WriteAllAndSync(fd, line.data(), line.size(), tmp.string()));
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0)
    return Status::IoError("rename " + tmp.string() + ": " + std::strerror(errno));
  return store::SyncDir(file.has_parent_path() ? file.parent_path() : std::filesystem::path("."));
}

Result<std::optional<std::filesystem::path>> EnsureAdminKey(domain::KeyRepository& keys,
                                                            const std::filesystem::path& data_dir,
                                                            int64_t now_ms) {
  FP_ASSIGN_OR_RETURN(auto existing, keys.ListKeys());
  if (!existing.empty()) return std::optional<std::filesystem::path>();
  const std::filesystem::path file = data_dir / kBootstrapKeyFile;
  FP_RETURN_IF_ERROR(IssueKey(keys, kBootstrapKeyName, Role::kAdmin, now_ms, [&](const std::string& key) {
                       return WriteKeyFile(file, key);
                     }).status());
  return std::optional<std::filesystem::path>(file);
}

}  // namespace facepass::auth
