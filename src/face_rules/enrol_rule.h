// The face add acceptance rule, applied to the engine's Analysis of an enrol
// photo (vision::Purpose::kEnrol) by the server (service::Faces::Add) and the
// device SDK (client::AnalyzeForEnrol): the image's verdict, then a face (the
// largest), then the enrol quality gates in the spec's order.
#pragma once

#include <optional>

#include "common/error_code.h"
#include "vision/types.h"

namespace facepass::face_rules {

// The second step, for an image the engine decoded (verdict kOk): FACE_NOT_FOUND,
// or BAD_QUALITY: <first failed gate>; nullopt when the face is accepted. The
// server keeps the photo between the two steps (a refused face still has its
// image_id).
std::optional<DomainError> EnrolFaceRefusal(const vision::Analysis& a);

// Both steps: the verdict's error (face_rules/image_verdict_error.h), else EnrolFaceRefusal.
std::optional<DomainError> EnrolRefusal(const vision::Analysis& a);

}  // namespace facepass::face_rules
