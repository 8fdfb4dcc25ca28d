// The recognise rule for one image, applied by the server (service::Recognition,
// each image of a track) and the device SDK (client::Device::RecognizeOffline,
// one capture a track) to the engine's Analysis (vision::Purpose::kRecognise):
// an image the engine refused answers its verdict's error, one without a face
// FACE_NOT_FOUND; the face's feature is searched top-1 in the group, and the
// candidate's calibrated score and the face's liveness decide `passed` by the
// pass rule (spec/pass_rule.h).
#pragma once

#include <optional>

#include "common/error_code.h"
#include "vision/types.h"

namespace facepass::face_rules {

// Before the search: the image's error, or nullopt when a->best's feature is to
// be searched. The server keeps every image whose verdict is kOk, so a
// FACE_NOT_FOUND answer still names its capture.
std::optional<DomainError> RecogniseImageError(const vision::Analysis& a);

struct RecogniseThresholds {
  double recognize = 0;
  double liveness = 0;
};

struct RecogniseMatch {
  double score = 0;                // the candidate's calibrated score, (0, 100]; 0 without one
  std::optional<double> liveness;  // the face's, when asked and measured
  bool passed = false;
};

// After the search: `candidate_score` is the best candidate's calibrated score,
// nullopt when the group had none.
RecogniseMatch JudgeMatch(std::optional<double> candidate_score, const vision::FaceResult& face,
                          bool liveness_asked, const RecogniseThresholds& th);

}  // namespace facepass::face_rules
