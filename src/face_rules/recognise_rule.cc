#include "face_rules/recognise_rule.h"

#include "face_rules/image_verdict_error.h"
#include "spec/pass_rule.h"

namespace facepass::face_rules {

std::optional<DomainError> RecogniseImageError(const vision::Analysis& a) {
  if (a.verdict != vision::ImageVerdict::kOk) return ImageVerdictError(a.verdict);
  if (!a.best || a.best->feature.empty()) return errors::FaceNotFound();
  return std::nullopt;
}

RecogniseMatch JudgeMatch(std::optional<double> candidate_score, const vision::FaceResult& face,
                          bool liveness_asked, const RecogniseThresholds& th) {
  RecogniseMatch m;
  m.score = candidate_score.value_or(0.0);
  if (liveness_asked && face.liveness) m.liveness = *face.liveness;
  m.passed = spec::PassesRecognition(candidate_score.has_value(), m.score, th.recognize, m.liveness, th.liveness);
  return m;
}

}  // namespace facepass::face_rules
