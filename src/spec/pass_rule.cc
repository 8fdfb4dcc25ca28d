#include "spec/pass_rule.h"

namespace facepass::spec {

bool PassesRecognition(bool has_candidate, double score, double recognize_threshold,
                       std::optional<double> liveness, double liveness_threshold) {
  // Written as "not reaching" so that a NaN score never passes.
  if (!has_candidate || !(score >= recognize_threshold)) return false;
  return !liveness || *liveness >= liveness_threshold;
}

}  // namespace facepass::spec
