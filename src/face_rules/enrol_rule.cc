#include "face_rules/enrol_rule.h"

#include "face_rules/image_verdict_error.h"
#include "vision/engine.h"

namespace facepass::face_rules {

std::optional<DomainError> EnrolFaceRefusal(const vision::Analysis& a) {
  if (!a.best) return errors::FaceNotFound();
  if (auto gate = vision::FirstFailedGate(a.best->quality)) return errors::BadQuality(*gate);
  return std::nullopt;
}

std::optional<DomainError> EnrolRefusal(const vision::Analysis& a) {
  if (a.verdict != vision::ImageVerdict::kOk) return ImageVerdictError(a.verdict);
  return EnrolFaceRefusal(a);
}

}  // namespace facepass::face_rules
