// Passive liveness from human's two small models: antispoof (128x128, sigmoid "real")
// and liveness (32x32, softmax [live, spoof]). Both see only the face crop of one frame.
#pragma once

#include <memory>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/human_liveness_models.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

class Liveness {
 public:
  // Either file may be missing; at least one must load.
  static Result<std::unique_ptr<Liveness>> Create(const std::filesystem::path& antispoof,
                                                  const std::filesystem::path& liveness, const LoadOptions& load);

  // Score in [0,100]: 100 x the geometric mean of the loaded models' "real" probabilities.
  Result<float> Score(const cv::Mat& bgr, const DetectedFace& face) const;

  // Per-model probabilities of the last kind (for docs and tests); -1 when absent.
  Status Probabilities(const cv::Mat& bgr, const DetectedFace& face, float* antispoof, float* live) const;

  // Score() from what Probabilities() gave (the evaluation has them already).
  static float Combine(float antispoof, float live);

  bool has_antispoof() const { return antispoof_ != nullptr; }
  bool has_liveness() const { return liveness_ != nullptr; }
  std::string id() const;

 private:
  Liveness() = default;
  std::unique_ptr<HumanAntispoof> antispoof_;
  std::unique_ptr<HumanLiveness> liveness_;
};

}  // namespace facepass::vision
