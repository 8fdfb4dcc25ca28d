// Keeps uploaded pictures: the bytes go to the file store (durable first), then
// the row; the image id names both.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "store/sqlite_images.h"
#include "store/types.h"

namespace facepass::service {

class ImageArchive {
 public:
  ImageArchive(store::Database& db, store::FileStore& files) : images_(db, files) {}

  // The new image's id. `format` as the engine named it ("jpeg", "png", "bmp").
  Result<int64_t> Keep(std::string_view bytes, const std::string& format, store::ImageKind kind, int width,
                       int height, int64_t now_ms);

  // NotFound when the row is absent.
  Result<store::ImageRecord> Find(int64_t image_id);
  // The image's bytes; NotFound when the file is gone (a capture purged meanwhile).
  Result<std::string> Read(const store::ImageRecord& image);

 private:
  store::SqliteImages images_;  // thread-safe
};

}  // namespace facepass::service
