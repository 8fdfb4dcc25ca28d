// The spec's pass rule for one 1:N result, in one place for the server
// (service/recognition_service) and the device SDK (client/device): a candidate was
// found, its score reaches the recognise threshold, and, when liveness was measured
// (the request asked for it), the liveness score reaches the liveness threshold.
#pragma once

#include <optional>

namespace facepass {

inline bool PassesRecognition(bool has_candidate, double score, double recognize_threshold,
                              std::optional<double> liveness, double liveness_threshold) {
  if (!has_candidate || !(score >= recognize_threshold)) return false;
  return !liveness || *liveness >= liveness_threshold;
}

}  // namespace facepass
