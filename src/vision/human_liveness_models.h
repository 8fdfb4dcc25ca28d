// human's two passive liveness classifiers, one class per model. Both see the
// detector's face box (squared, no rotation) of one frame as RGB x/255 and answer the
// probability that the face is live; vision::Liveness combines them.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

// antispoof.onnx: 128x128, one sigmoid output, P(real).
class HumanAntispoof {
 public:
  static constexpr int kInput = 128;
  static Result<std::unique_ptr<HumanAntispoof>> Create(const std::filesystem::path& file, const LoadOptions& load);
  Result<float> Probability(const cv::Mat& bgr, const DetectedFace& face) const;
  const Network& network() const { return *net_; }

 private:
  explicit HumanAntispoof(std::unique_ptr<Network> net) : net_(std::move(net)) {}
  std::unique_ptr<Network> net_;
};

// liveness.onnx: 32x32, two outputs [live, spoof] (probabilities, or logits turned into
// them by a softmax), P(live) = the first.
class HumanLiveness {
 public:
  static constexpr int kInput = 32;
  static Result<std::unique_ptr<HumanLiveness>> Create(const std::filesystem::path& file, const LoadOptions& load);
  Result<float> Probability(const cv::Mat& bgr, const DetectedFace& face) const;
  const Network& network() const { return *net_; }

 private:
  explicit HumanLiveness(std::unique_ptr<Network> net) : net_(std::move(net)) {}
  std::unique_ptr<Network> net_;
};

}  // namespace facepass::vision
