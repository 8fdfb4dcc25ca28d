// The spec's pass rule for one 1:N result, for the server (service/recognition_service)
// and the device SDK (client/device): a candidate was found, its score reaches the
// recognise threshold, and, when liveness was measured (the caller asked for it), the
// liveness score reaches the liveness threshold.
#pragma once

#include <optional>

namespace facepass::spec {

// The spec's recommended liveness threshold (the server's default; /service/config
// can change the server's, a device that is not told uses this).
inline constexpr double kDefaultLivenessThreshold = 50;

bool PassesRecognition(bool has_candidate, double score, double recognize_threshold,
                       std::optional<double> liveness, double liveness_threshold);

}  // namespace facepass::spec
