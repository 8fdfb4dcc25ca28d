// MediaPipe BlazeFace (back-camera variant, human's blazeface-back): 256x256, x/127.5 - 1,
// two SSD heads (stride 16 x 2 anchors, stride 32 x 6), a box and six keypoints per
// anchor relative to its centre, score = sigmoid(logit).
#pragma once

#include <filesystem>
#include <memory>

#include "vision/detector_model.h"

namespace facepass::vision {

class BlazeFace : public DetectorModel {
 public:
  static Result<std::unique_ptr<BlazeFace>> Create(const std::filesystem::path& file, int input_size,
                                                   const LoadOptions& load);
  cv::Size input() const override { return {input_, input_}; }
  Result<std::vector<Candidate>> Run(const cv::Mat& bgr_input, float min_score) const override;
  const Network& network() const override { return *net_; }

 private:
  BlazeFace() = default;
  Result<std::vector<Candidate>> Decode(const std::vector<cv::Mat>& outs, float min_score) const;
  int input_ = 256;
  std::unique_ptr<Network> net_;
  std::vector<cv::Point2f> anchors_;  // anchor centres in input pixels
};

}  // namespace facepass::vision
