// Keeps uploaded pictures: the bytes go to the file store (durable first), then
// the row; the image_id handed out names both.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "service/context.h"

namespace facepass::service {

struct ArchivedImage {
  int64_t id = 0;
  std::string token;  // image_id as the API shows it
};

Result<ArchivedImage> ArchiveImage(const ServiceContext& ctx, std::string_view bytes,
                                   const std::string& format, store::ImageKind kind, int width,
                                   int height, int64_t now_ms);

// Content-Type for a stored format ("jpeg" -> "image/jpeg").
std::string ContentTypeOf(const std::string& format);

}  // namespace facepass::service
