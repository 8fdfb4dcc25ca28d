// The spec's error for an image the engine refused before detection, one mapping for
// face add, recognise (per-track "error") and compare. Compare reports size and resolution
// as IMAGE_VALIDATE_FAILED naming the image (its own row in the spec). The server and
// the device SDK both use it (through face_rules/enrol_rule.h and face_rules/recognise_rule.h).
#pragma once

#include <string>

#include "common/error_code.h"
#include "vision/types.h"

namespace facepass::face_rules {

inline DomainError ImageVerdictError(vision::ImageVerdict v) {
  switch (v) {
    case vision::ImageVerdict::kFileTooLarge: return errors::InvalidImageFileSize();
    case vision::ImageVerdict::kBadResolution: return errors::InvalidImageResolution();
    default: return errors::UnsupportedImageFormat();
  }
}

inline DomainError CompareImageVerdictError(vision::ImageVerdict v, const std::string& image_name) {
  if (v == vision::ImageVerdict::kFileTooLarge || v == vision::ImageVerdict::kBadResolution)
    return errors::ImageValidateFailed(image_name);
  return ImageVerdictError(v);
}

}  // namespace facepass::face_rules
