// Passive liveness from faceplugin's fr_liveness.onnx (npm faceplugin-face-recognition-js
// 0.0.1): a 3-class classifier (Silent-Face-like input) on a 128x128 crop 2.7x the face box, so
// it sees the surroundings of the face (bezels, paper edges) as well as the face.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

class FpLiveness {
 public:
  static constexpr int kInput = 128;
  static constexpr float kContext = 2.7f;  // crop side / face box side, before fitting the image
  static constexpr int kLiveClass = 0;     // measured (see fp_liveness.cc): class 0 = live

  static Result<std::unique_ptr<FpLiveness>> Create(const std::filesystem::path& file, const LoadOptions& load);

  // [0,100]: 100 x P(live).
  Result<float> Score(const cv::Mat& bgr, const DetectedFace& face) const;

  // Softmax over the model's three classes (for the evaluation and tests).
  Result<std::array<float, 3>> Probabilities(const cv::Mat& bgr, const DetectedFace& face) const;

  // The image region the model sees: the face box scaled about its centre, shifted inside.
  static cv::Rect ContextBox(const Rect& face, int image_width, int image_height);

  std::string id() const { return "fp_liveness-" + net_->content_id(); }
  const Network& network() const { return *net_; }

 private:
  FpLiveness() = default;
  std::unique_ptr<Network> net_;
};

}  // namespace facepass::vision
