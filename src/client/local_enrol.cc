#include "client/local_enrol.h"

#include "face_rules/enrol_rule.h"
#include "vision/engine.h"

namespace facepass::client {

Result<EnrolFace> AnalyzeForEnrol(const vision::Engine& engine, std::string_view photo) {
  FP_ASSIGN_OR_RETURN(vision::Analysis a, engine.Analyze(photo, vision::Purpose::kEnrol, {.embed = true, .liveness = false}));
  if (auto refusal = face_rules::EnrolRefusal(a)) return Status::InvalidArgument(refusal->message);
  if (a.best->feature.empty()) return Status::Internal("enrol: no feature for the face");
  return EnrolFace{a.best->face.rect, a.best->quality, std::move(a.best->feature)};
}

}  // namespace facepass::client
