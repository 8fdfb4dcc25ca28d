// The server's face add rules, run on the device: a photo becomes a feature only
// if /api/face/v1/add would accept it: the engine's enrol limits
// (Purpose::kEnrol) and the rule both apply (face_rules/enrol_rule.h).
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "vision/types.h"

namespace facepass::vision {
class Engine;
}

namespace facepass::client {

struct EnrolFace {
  vision::Rect rect;
  vision::Quality quality;
  std::vector<float> feature;  // unit length, Engine::feature_dim() floats
};

// kInvalidArgument with the spec's error message for the photo:
// UNSUPPORTED_IMAGE_FORMAT, INVALID_IMAGE_RESOLUTION, INVALID_IMAGE_FILE_SIZE,
// FACE_NOT_FOUND, BAD_QUALITY: <gate>. Other codes: the engine failed.
Result<EnrolFace> AnalyzeForEnrol(const vision::Engine& engine, std::string_view photo);

}  // namespace facepass::client
