// The embedded backend: one data directory holding the SQLite database
// (facepass.db), the image files (images/) and the installation secret
// (secret.key), as domain::Storage.
#pragma once

#include <filesystem>
#include <memory>

#include "domain/storage.h"
#include "store/database.h"
#include "store/file_store.h"
#include "store/secret_file.h"
#include "store/sqlite_images.h"

namespace facepass::store {

class SqliteStorage final : public domain::Storage {
 public:
  static Result<std::unique_ptr<SqliteStorage>> Open(const std::filesystem::path& data_dir,
                                                     const Database::Options& options = Database::Options());

  domain::FaceRepository& faces() override { return *db_; }
  domain::GroupRepository& groups() override { return *db_; }
  domain::ImageRepository& images() override { return images_; }
  domain::RecognitionRepository& recognitions() override { return *db_; }
  domain::KeyRepository& keys() override { return *db_; }
  domain::AuditRepository& audit() override { return *db_; }
  domain::ConfigRepository& config() override { return *db_; }
  domain::DeviceRepository& devices() override { return *db_; }
  domain::SecretRepository& secret() override { return secret_; }
  Status CheckIntegrity(domain::IntegrityCheck depth) override { return db_->CheckIntegrity(depth); }

  Database& database() { return *db_; }
  FileStore& files() { return *files_; }

 private:
  SqliteStorage(std::unique_ptr<Database> db, std::unique_ptr<FileStore> files, const std::filesystem::path& dir)
      : db_(std::move(db)), files_(std::move(files)), images_(*db_, *files_), secret_(dir) {}

  const std::unique_ptr<Database> db_;
  const std::unique_ptr<FileStore> files_;
  SqliteImages images_;
  SecretFile secret_;
};

}  // namespace facepass::store
