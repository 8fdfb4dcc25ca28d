// Keeps uploaded pictures in the store's image repository (SQLite: the bytes in
// a file, durable first, then the row; PostgreSQL: both in one row); the image
// id names both.
#pragma once

#include <future>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/image_repository.h"
#include "store/types.h"
#include "vision/types.h"

namespace facepass::service {

// An image being written while its caller analyses it: the write (on
// PostgreSQL, 280 kB through the connection, 10-20 ms) overlaps the inference
// instead of following it. Take() waits for the write and answers the id;
// an image never taken (the pixels failed to decode after the header passed,
// or the call failed meanwhile) is removed again when this goes away.
// The bytes must outlive this object.
class PendingImage {
 public:
  PendingImage(domain::ImageRepository& images, std::future<Result<int64_t>> write)
      : images_(&images), write_(std::move(write)) {}
  PendingImage(PendingImage&&) = default;
  PendingImage& operator=(PendingImage&&) = delete;
  ~PendingImage();

  Result<int64_t> Take();

 private:
  domain::ImageRepository* images_;
  std::future<Result<int64_t>> write_;  // valid until taken
};

class ImageArchive {
 public:
  explicit ImageArchive(domain::ImageRepository& images) : images_(images) {}

  // The new image's id. `format` as the engine named it ("jpeg", "png", "bmp").
  Result<int64_t> Keep(std::string_view bytes, const std::string& format, store::ImageKind kind, int width,
                       int height, int64_t now_ms);
  // Keep() on its own thread, started now, when `header` (FaceAnalyzer::
  // Inspect) says the picture is readable; nothing otherwise. See PendingImage.
  std::optional<PendingImage> KeepAhead(std::string_view bytes, const vision::Analysis& header,
                                        store::ImageKind kind, int64_t now_ms);

  // NotFound when the row is absent.
  Result<store::ImageRecord> Find(int64_t image_id);
  // The image's bytes; NotFound when the file is gone (a capture purged meanwhile).
  Result<std::string> Read(const store::ImageRecord& image);

 private:
  domain::ImageRepository& images_;  // thread-safe
};

}  // namespace facepass::service
