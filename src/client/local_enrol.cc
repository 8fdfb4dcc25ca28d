#include "client/local_enrol.h"

#include "common/error_code.h"
#include "service/image_verdict_error.h"  // header only: the server's mapping, not a copy
#include "vision/engine.h"

namespace facepass::client {

Result<EnrolFace> AnalyzeForEnrol(const vision::Engine& engine, std::string_view photo) {
  FP_ASSIGN_OR_RETURN(vision::Analysis a, engine.Analyze(photo, vision::Purpose::kEnrol, {.embed = true, .liveness = false}));
  if (a.verdict != vision::ImageVerdict::kOk) return Status::InvalidArgument(service::ImageVerdictError(a.verdict).message);
  if (!a.best) return Status::InvalidArgument(errors::FaceNotFound().message);
  if (auto gate = vision::FirstFailedGate(a.best->quality)) {
    return Status::InvalidArgument(errors::BadQuality(*gate).message);
  }
  if (a.best->feature.empty()) return Status::Internal("enrol: no feature for the face");
  return EnrolFace{a.best->face.rect, a.best->quality, std::move(a.best->feature)};
}

}  // namespace facepass::client
