// Keeps uploaded pictures in the store's image repository (SQLite: the bytes in
// a file, durable first, then the row; PostgreSQL: both in one row); the image
// id names both.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/image_repository.h"
#include "store/types.h"

namespace facepass::service {

class ImageArchive {
 public:
  explicit ImageArchive(domain::ImageRepository& images) : images_(images) {}

  // The new image's id. `format` as the engine named it ("jpeg", "png", "bmp").
  Result<int64_t> Keep(std::string_view bytes, const std::string& format, store::ImageKind kind, int width,
                       int height, int64_t now_ms);

  // NotFound when the row is absent.
  Result<store::ImageRecord> Find(int64_t image_id);
  // The image's bytes; NotFound when the file is gone (a capture purged meanwhile).
  Result<std::string> Read(const store::ImageRecord& image);

 private:
  domain::ImageRepository& images_;  // thread-safe
};

}  // namespace facepass::service
