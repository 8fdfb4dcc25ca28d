// The spec's API error for an image the engine refused before detection, one mapping for
// face add, recognise (per-track "error") and compare. Compare reports size and resolution
// as IMAGE_VALIDATE_FAILED naming the image (its own row in the spec).
#pragma once

#include <string>

#include "common/api_error.h"
#include "vision/types.h"

namespace facepass::service {

inline ApiError ImageVerdictError(vision::ImageVerdict v) {
  switch (v) {
    case vision::ImageVerdict::kFileTooLarge: return api_error::InvalidImageFileSize();
    case vision::ImageVerdict::kBadResolution: return api_error::InvalidImageResolution();
    default: return api_error::UnsupportedImageFormat();
  }
}

inline ApiError CompareImageVerdictError(vision::ImageVerdict v, const std::string& image_name) {
  if (v == vision::ImageVerdict::kFileTooLarge || v == vision::ImageVerdict::kBadResolution)
    return api_error::ImageValidateFailed(image_name);
  return ImageVerdictError(v);
}

}  // namespace facepass::service
