#include "store/sqlite_storage.h"

namespace facepass::store {

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::filesystem::path& data_dir,
                                                           const Database::Options& options) {
  FP_ASSIGN_OR_RETURN(auto db, Database::Open(data_dir / "facepass.db", options));
  FP_ASSIGN_OR_RETURN(auto files, FileStore::Open(data_dir / "images"));
  return std::unique_ptr<SqliteStorage>(new SqliteStorage(std::move(db), std::move(files), data_dir));
}

}  // namespace facepass::store
