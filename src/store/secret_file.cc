#include "store/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/posix_file.h"

namespace facepass::store {
namespace {

constexpr size_t kSecretSize = domain::kInstallationSecretSize;
constexpr char kSecretName[] = "secret.key";

Result<std::string> ReadSecret(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(file.string());
    return Status::IoError("open " + file.string() + ": " + std::strerror(errno));
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IoError("fstat " + file.string() + ": " + std::strerror(errno));
  // Tighten a secret that someone made readable to others.
  if ((st.st_mode & 077) != 0) ::fchmod(fd, 0600);
  std::string bytes(kSecretSize + 1, '\0');
  FP_ASSIGN_OR_RETURN(auto read, ReadUpTo(fd, bytes.data(), bytes.size(), file.string()));
  const size_t got = read;
  if (got != kSecretSize)
    return Status::Corruption(file.string() + " has " + std::to_string(got) + " bytes, expected " +
                              std::to_string(kSecretSize));
  bytes.resize(kSecretSize);
  return bytes;
}

// Writes a fresh secret to a private temp file and links it into place, so
// the secret file never exists half-written and two racing starts agree.
Status CreateSecret(const std::filesystem::path& dir, const std::filesystem::path& file) {
  uint8_t secret[kSecretSize];
  if (RAND_bytes(secret, sizeof(secret)) != 1) return Status::Internal("RAND_bytes failed");
  uint8_t salt[8];
  if (RAND_bytes(salt, sizeof(salt)) != 1) return Status::Internal("RAND_bytes failed");
  std::string suffix;
  for (uint8_t b : salt) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", b);
    suffix += hex;
  }
  const std::filesystem::path tmp = dir / (std::string(kSecretName) + ".tmp." + suffix);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("create " + tmp.string() + ": " + std::strerror(errno));
  Status st = WriteAllAndSync(fd, secret, sizeof(secret), tmp.string());
  OPENSSL_cleanse(secret, sizeof(secret));
  ::close(fd);
  if (st.ok() && ::link(tmp.c_str(), file.c_str()) != 0 && errno != EEXIST)
    st = Status::IoError("link " + file.string() + ": " + std::strerror(errno));
  ::unlink(tmp.c_str());
  if (!st.ok()) return st;
  return SyncDir(dir);
}

}  // namespace

Result<std::string> SecretFile::LoadOrCreateSecret() {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  if (ec) return Status::IoError("create " + data_dir_.string() + ": " + ec.message());
  const std::filesystem::path file = data_dir_ / kSecretName;
  Result<std::string> secret = ReadSecret(file);
  if (!secret.ok() && secret.status().code() == StatusCode::kNotFound) {
    FP_RETURN_IF_ERROR(CreateSecret(data_dir_, file));
    secret = ReadSecret(file);
  }
  return secret;
}

}  // namespace facepass::store
