// Uploaded pictures: their bytes and metadata under one id. SQLite keeps the
// bytes in files (store::FileStore, durable before the row commits);
// PostgreSQL keeps them in the row, so no node needs a shared file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/types.h"

namespace facepass::domain {

class ImageRepository {
 public:
  virtual ~ImageRepository() = default;

  // The new image's id. `format` as the engine named it ("jpeg", "png", "bmp").
  virtual Result<int64_t> AddImage(ImageKind kind, const std::string& format, std::string_view bytes, int width,
                                   int height, int64_t created_ms) = 0;
  virtual Result<ImageRecord> GetImage(int64_t id) = 0;  // NotFound
  // The image's bytes; NotFound when they are gone (a capture purged meanwhile).
  virtual Result<std::string> ReadImage(const ImageRecord& image) = 0;
  // Captures with created_ms < before_ms, oldest first. Captures a face was
  // enrolled from are left out: they cannot be purged.
  virtual Result<std::vector<ImageRecord>> CapturesOlderThan(int64_t before_ms, int limit) = 0;
  // Removes a capture's row and bytes (its history rows go with it).
  // FailedPrecondition for an enrol image or one a face refers to; NotFound if absent.
  virtual Status DeleteCapture(int64_t id) = 0;
  // Removes an image of either kind that no face refers to: one kept while it
  // was analysed (service::PendingImage) whose pixels then failed to decode.
  // FailedPrecondition if a face refers to it; NotFound if absent.
  virtual Status DiscardImage(int64_t id) = 0;
};

}  // namespace facepass::domain
