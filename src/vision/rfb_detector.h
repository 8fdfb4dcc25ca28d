// faceplugin's fr_detect.onnx, an Ultra-Light RFB-320: 320x240, (x - 127)/128 RGB;
// outputs scores [N,2] (background, face) and boxes [N,4] already decoded by the graph
// to corners in [0,1] of the input. Boxes only: the five points come from facemesh.
#pragma once

#include <filesystem>
#include <memory>

#include "vision/detector_model.h"

namespace facepass::vision {

class RfbDetector : public DetectorModel {
 public:
  // `input_width`: 320 by default; the height is three quarters of it.
  static Result<std::unique_ptr<RfbDetector>> Create(const std::filesystem::path& file, int input_width,
                                                     const LoadOptions& load);
  cv::Size input() const override { return {width_, width_ * 3 / 4}; }
  Result<std::vector<Candidate>> Run(const cv::Mat& bgr_input, float min_score) const override;
  const Network& network() const override { return *net_; }

 private:
  RfbDetector() = default;
  Result<std::vector<Candidate>> Decode(const std::vector<cv::Mat>& outs, float min_score) const;
  int width_ = 320;
  std::unique_ptr<Network> net_;
};

}  // namespace facepass::vision
