#include "store/backup.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/posix_file.h"

namespace facepass::store {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDbName = "facepass.db";
constexpr const char* kSecretName = "secret.key";
constexpr const char* kManifestName = "MANIFEST";
constexpr const char* kManifestHeader = "# facepass backup 1: sha256  path (sha256sum -c MANIFEST)\n";
constexpr size_t kChunk = 1 << 20;

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void Update(const void* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string Hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &len);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) out += {kHex[md[i] >> 4], kHex[md[i] & 15]};
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// A temp directory removed at scope exit unless released.
class TempDir {
 public:
  static Result<TempDir> Make(const fs::path& beside, const std::string& stem) {
    std::string tmpl = (beside / ("." + stem + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Status::IoError("mkdtemp " + tmpl + ": " + std::strerror(errno));
    return TempDir(tmpl);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  explicit TempDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

Status ArchiveError(struct archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Status::IoError(what + ": " + (msg != nullptr ? msg : "archive error"));
}

// Copies a consistent snapshot of the live database (one read transaction) to `dst`.
Status Snapshot(const fs::path& src, const fs::path& dst) {
  sqlite3* from = nullptr;
  sqlite3* to = nullptr;
  auto close = [&] {
    sqlite3_close_v2(from);
    sqlite3_close_v2(to);
  };
  if (sqlite3_open_v2(src.c_str(), &from, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(dst.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = from != nullptr ? sqlite3_errmsg(from) : "cannot open";
    close();
    return Status::IoError("snapshot of " + src.string() + ": " + msg);
  }
  sqlite3_busy_timeout(from, 5000);
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) {
    std::string msg = sqlite3_errmsg(to);
    close();
    return Status::IoError("snapshot of " + src.string() + ": " + msg);
  }
  const int step = sqlite3_backup_step(b, -1);  // all pages in one step: one snapshot
  sqlite3_backup_finish(b);
  Status s = step == SQLITE_DONE ? Status::OK()
                                 : Status::IoError("snapshot of " + src.string() + ": " + sqlite3_errstr(step));
  close();
  return s;
}

struct SnapshotImages {
  std::vector<std::string> paths;  // relative to images/
  int64_t captures_skipped = 0;
};

// The image files the snapshot refers to; captures whose file is gone (purged
// meanwhile) are deleted from the snapshot. An enrol image's missing file is
// corruption of the source.
Result<SnapshotImages> ListImages(const fs::path& snapshot, const fs::path& images_dir) {
  try {
    SQLite::Database db(snapshot.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA foreign_keys = ON");  // a skipped capture takes its history rows (ON DELETE CASCADE)
    SnapshotImages out;
    std::vector<int64_t> gone;
    SQLite::Statement st(db, "SELECT id, kind, path FROM images ORDER BY id");
    while (st.executeStep()) {
      const std::string path = st.getColumn(2).getString();
      if (fs::is_regular_file(images_dir / path)) {
        out.paths.push_back(path);
      } else if (st.getColumn(1).getInt() == static_cast<int>(ImageKind::kCapture)) {
        gone.push_back(st.getColumn(0).getInt64());
      } else {
        return Status::Corruption("image " + std::to_string(st.getColumn(0).getInt64()) + ": file " + path +
                                  " is missing from " + images_dir.string());
      }
    }
    SQLite::Transaction tx(db);
    for (int64_t id : gone) {
      SQLite::Statement del(db, "DELETE FROM images WHERE id = ? AND NOT EXISTS (SELECT 1 FROM faces WHERE image_id = ?)");
      del.bind(1, id);
      del.bind(2, id);
      out.captures_skipped += del.exec();
    }
    tx.commit();
    db.exec("PRAGMA journal_mode = DELETE");  // one self-contained file
    return out;
  } catch (const std::exception& e) {
    return Status::IoError(std::string("reading the snapshot: ") + e.what());
  }
}

class TarWriter {
 public:
  explicit TarWriter(struct archive* a) : a_(a) {}

  Status AddFile(const fs::path& file, const std::string& name, std::string* sha) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return Status::IoError("backup: " + file.string() + ": " + ec.message());
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::IoError("backup: cannot read " + file.string());
    FP_RETURN_IF_ERROR(Header(name, static_cast<int64_t>(size)));
    Sha256 h;
    std::vector<char> buf(kChunk);
    uintmax_t left = size;
    while (left > 0) {
      const size_t n = static_cast<size_t>(std::min<uintmax_t>(left, buf.size()));
      if (!in.read(buf.data(), static_cast<std::streamsize>(n))) {
        return Status::IoError("backup: " + file.string() + " changed while it was copied");
      }
      h.Update(buf.data(), n);
      if (archive_write_data(a_, buf.data(), n) != static_cast<la_ssize_t>(n)) return ArchiveError(a_, "backup");
      left -= n;
    }
    *sha = h.Hex();
    return Status::OK();
  }

  Status AddBytes(const std::string& name, const std::string& bytes) {
    FP_RETURN_IF_ERROR(Header(name, static_cast<int64_t>(bytes.size())));
    if (archive_write_data(a_, bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size())) {
      return ArchiveError(a_, "backup");
    }
    return Status::OK();
  }

 private:
  Status Header(const std::string& name, int64_t size) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                             archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_size(e.get(), size);
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    if (archive_write_header(a_, e.get()) != ARCHIVE_OK) return ArchiveError(a_, "backup: " + name);
    return Status::OK();
  }
  struct archive* a_;
};

Status FsyncFile(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("open " + file.string() + ": " + std::strerror(errno));
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return Status::IoError("fsync " + file.string() + ": " + std::strerror(errno));
  return Status::OK();
}

// A name from the archive that stays inside the target: relative, no "..", no
// empty or dot components.
bool SafeName(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.size() > 4096) return false;
  std::stringstream parts(name);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return name.back() != '/';
}

Result<std::map<std::string, std::string>> ParseManifest(const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() == '#') continue;
    const size_t sep = line.find("  ");
    if (sep != 64 || line.size() <= 66) return Status::Corruption("backup: bad MANIFEST line: " + line.substr(0, 100));
    out[line.substr(66)] = line.substr(0, 64);
  }
  return out;
}

// Reads every entry into `dir`, hashing it; the MANIFEST into `manifest`.
Status Extract(const fs::path& archive_file, const fs::path& dir, std::map<std::string, std::string>* hashes,
               std::string* manifest) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), archive_file.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "restore: " + archive_file.string());
  }
  struct archive_entry* e = nullptr;
  std::vector<char> buf(kChunk);
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return ArchiveError(a.get(), "restore: " + archive_file.string());
    const char* raw = archive_entry_pathname(e);
    const std::string name = raw != nullptr ? raw : "";
    if (!SafeName(name) || archive_entry_filetype(e) != AE_IFREG) {
      return Status::Corruption("restore: refusing entry '" + name.substr(0, 200) + "'");
    }
    if (hashes->count(name) != 0 || (name == kManifestName && !manifest->empty())) {
      return Status::Corruption("restore: entry " + name + " appears twice");
    }
    const bool is_manifest = name == kManifestName;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(nullptr, std::fclose);
    if (!is_manifest) {
      const fs::path target = dir / name;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      if (ec) return Status::IoError("restore: " + target.parent_path().string() + ": " + ec.message());
      out.reset(std::fopen(target.c_str(), "wbx"));
      if (!out) return Status::IoError("restore: cannot create " + target.string() + ": " + std::strerror(errno));
    }
    Sha256 h;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) return ArchiveError(a.get(), "restore: " + name);
      if (n == 0) break;
      if (is_manifest) {
        if (manifest->size() + static_cast<size_t>(n) > (256u << 20)) return Status::Corruption("restore: MANIFEST too large");
        manifest->append(buf.data(), static_cast<size_t>(n));
      } else {
        h.Update(buf.data(), static_cast<size_t>(n));
        if (std::fwrite(buf.data(), 1, static_cast<size_t>(n), out.get()) != static_cast<size_t>(n)) {
          return Status::IoError("restore: writing " + name + ": " + std::strerror(errno));
        }
      }
    }
    if (!is_manifest) {
      if (std::fflush(out.get()) != 0 || ::fsync(::fileno(out.get())) != 0) {
        return Status::IoError("restore: writing " + name + ": " + std::strerror(errno));
      }
      (*hashes)[name] = h.Hex();
    }
  }
  return Status::OK();
}

// Every image row's file is in the restored tree.
Status CheckImages(const fs::path& dir) {
  try {
    SQLite::Database db((dir / kDbName).string(), SQLite::OPEN_READONLY);
    SQLite::Statement st(db, "SELECT id, path FROM images");
    while (st.executeStep()) {
      if (!fs::is_regular_file(dir / "images" / st.getColumn(1).getString())) {
        return Status::Corruption("restore: image " + std::to_string(st.getColumn(0).getInt64()) +
                                  " has no file in the backup");
      }
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("restore: the database cannot be read: ") + e.what());
  }
  return Status::OK();
}

Status SyncTree(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory()) FP_RETURN_IF_ERROR(SyncDir(it->path()));
  }
  if (ec) return Status::IoError("restore: " + dir.string() + ": " + ec.message());
  return SyncDir(dir);
}

}  // namespace

Result<BackupStats> Backup(const fs::path& data_dir, const fs::path& out) {
  if (!fs::is_regular_file(data_dir / kDbName)) {
    return Status::NotFound("backup: no " + std::string(kDbName) + " in " + data_dir.string());
  }
  if (!fs::is_regular_file(data_dir / kSecretName)) {
    return Status::NotFound("backup: no " + std::string(kSecretName) + " in " + data_dir.string());
  }
  const fs::path out_dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  FP_ASSIGN_OR_RETURN(auto work, TempDir::Make(out_dir, "facepass-backup"));
  const fs::path snapshot = work.path() / kDbName;
  FP_RETURN_IF_ERROR(Snapshot(data_dir / kDbName, snapshot));
  FP_ASSIGN_OR_RETURN(auto images, ListImages(snapshot, data_dir / "images"));

  BackupStats stats;
  stats.captures_skipped = images.captures_skipped;
  const fs::path tmp = out.string() + ".tmp";
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  if (archive_write_open_filename(a.get(), tmp.c_str()) != ARCHIVE_OK) return ArchiveError(a.get(), "backup: " + tmp.string());
  TarWriter tar(a.get());
  std::string manifest = kManifestHeader;
  auto add = [&](const fs::path& file, const std::string& name) -> Status {
    std::string sha;
    FP_RETURN_IF_ERROR(tar.AddFile(file, name, &sha));
    manifest += sha + "  " + name + "\n";
    stats.files += 1;
    stats.bytes += static_cast<int64_t>(fs::file_size(file));
    return Status::OK();
  };
  FP_RETURN_IF_ERROR(add(snapshot, kDbName));
  // The data directory's small top-level files (the secret, search_model...).
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.front() == '.' || name.rfind(kDbName, 0) == 0) continue;
    FP_RETURN_IF_ERROR(add(entry.path(), name));
  }
  if (ec) return Status::IoError("backup: " + data_dir.string() + ": " + ec.message());
  for (const std::string& path : images.paths) {
    FP_RETURN_IF_ERROR(add(data_dir / "images" / path, "images/" + path));
    stats.images += 1;
  }
  FP_RETURN_IF_ERROR(tar.AddBytes(kManifestName, manifest));
  if (archive_write_close(a.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "backup: " + tmp.string());
  a.reset();
  FP_RETURN_IF_ERROR(FsyncFile(tmp));
  fs::rename(tmp, out, ec);
  if (ec) return Status::IoError("backup: rename to " + out.string() + ": " + ec.message());
  FP_RETURN_IF_ERROR(SyncDir(out_dir));
  return stats;
}

Result<BackupStats> Restore(const fs::path& archive_file, const fs::path& data_dir) {
  std::error_code ec;
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return Status::FailedPrecondition("restore: " + data_dir.string() + " is not empty");
  }
  if (!fs::is_regular_file(archive_file)) return Status::NotFound("restore: no file " + archive_file.string());
  const fs::path parent = data_dir.has_parent_path() ? data_dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  FP_ASSIGN_OR_RETURN(auto work, TempDir::Make(parent, data_dir.filename().string() + ".restore"));

  std::map<std::string, std::string> hashes;
  std::string manifest_text;
  FP_RETURN_IF_ERROR(Extract(archive_file, work.path(), &hashes, &manifest_text));
  if (manifest_text.empty()) return Status::Corruption("restore: the backup has no MANIFEST (cut short?)");
  FP_ASSIGN_OR_RETURN(auto manifest, ParseManifest(manifest_text));
  if (manifest != hashes) {
    for (const auto& [name, sha] : manifest) {
      auto it = hashes.find(name);
      if (it == hashes.end()) return Status::Corruption("restore: " + name + " is missing from the backup");
      if (it->second != sha) return Status::Corruption("restore: " + name + " does not match its checksum");
    }
    return Status::Corruption("restore: the backup holds files its MANIFEST does not list");
  }
  if (hashes.count(kDbName) == 0 || hashes.count(kSecretName) == 0) {
    return Status::Corruption("restore: the backup lacks facepass.db or secret.key");
  }
  ::chmod((work.path() / kSecretName).c_str(), 0600);
  {
    auto db = Database::Open(work.path() / kDbName);
    if (!db.ok()) return Status::Corruption("restore: " + db.status().ToString());
    FP_RETURN_IF_ERROR((*db)->CheckIntegrity());
  }
  FP_RETURN_IF_ERROR(CheckImages(work.path()));
  FP_RETURN_IF_ERROR(SyncTree(work.path()));

  BackupStats stats;
  for (const auto& [name, sha] : hashes) {
    stats.files += 1;
    stats.bytes += static_cast<int64_t>(fs::file_size(work.path() / name, ec));
    if (name.rfind("images/", 0) == 0) stats.images += 1;
  }
  if (fs::exists(data_dir)) fs::remove(data_dir, ec);  // empty, checked above
  fs::rename(work.path(), data_dir, ec);
  if (ec) return Status::IoError("restore: rename into " + data_dir.string() + ": " + ec.message());
  work.Release();
  FP_RETURN_IF_ERROR(SyncDir(parent));
  return stats;
}

}  // namespace facepass::store
