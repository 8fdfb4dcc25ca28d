// domain::ImageRepository of an SQLite installation: the bytes in the file
// store (durable first), then the row in the database; the image id names both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/image_repository.h"

namespace facepass::store {

class Database;
class FileStore;

class SqliteImages final : public domain::ImageRepository {
 public:
  SqliteImages(Database& db, FileStore& files) : db_(db), files_(files) {}

  Result<int64_t> AddImage(domain::ImageKind kind, const std::string& format, std::string_view bytes, int width,
                           int height, int64_t created_ms) override;
  Result<domain::ImageRecord> GetImage(int64_t id) override;
  Result<std::string> ReadImage(const domain::ImageRecord& image) override;
  Result<std::vector<domain::ImageRecord>> CapturesOlderThan(int64_t before_ms, int limit) override;
  // The row first, then the file: a crash in between leaves an unnamed file,
  // never a row without its bytes.
  Status DeleteCapture(int64_t id) override;
  Status DiscardImage(int64_t id) override;

 private:
  Status Delete(int64_t id, bool enrol_too);

  Database& db_;      // thread-safe
  FileStore& files_;  // thread-safe
};

}  // namespace facepass::store
