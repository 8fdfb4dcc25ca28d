// InsightFace SCRFD: any input side divisible by 32, (x - 127.5)/128 RGB; per stride
// 8/16/32 with 2 anchors per cell a score, box distances and five keypoints, matched
// by shape. Never run here (no SCRFD file is fetched); kept for user-supplied models.
#pragma once

#include <filesystem>
#include <memory>

#include "vision/detector_model.h"

namespace facepass::vision {

class Scrfd : public DetectorModel {
 public:
  static Result<std::unique_ptr<Scrfd>> Create(const std::filesystem::path& file, int input_size,
                                               const LoadOptions& load);
  cv::Size input() const override { return {input_, input_}; }
  Result<std::vector<Candidate>> Run(const cv::Mat& bgr_input, float min_score) const override;
  const Network& network() const override { return *net_; }

 private:
  Scrfd() = default;
  Result<std::vector<Candidate>> Decode(const std::vector<cv::Mat>& outs, float min_score) const;
  int input_ = 640;
  std::unique_ptr<Network> net_;
};

}  // namespace facepass::vision
