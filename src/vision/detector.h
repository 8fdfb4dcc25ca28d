// Face detector: BlazeFace (human's blazeface-back, 256x256) or InsightFace SCRFD.
// Small faces in large photos are found by a tiled second pass; tight face crops by
// a padded pass.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/engine.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

class Detector {
 public:
  static Result<std::unique_ptr<Detector>> Create(const DetectorConfig& cfg,
                                                  const std::filesystem::path& file, const LoadOptions& load);

  // All faces of the upright BGR image, best score first, rects clipped to the image.
  Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr) const;

  // One pass of the network over `region` of the image, letterboxed to the input size.
  Result<std::vector<DetectedFace>> DetectRegion(const cv::Mat& bgr, cv::Rect region) const;

  std::string kind() const { return name_; }
  int input_size() const { return input_; }
  const Network& network() const { return *net_; }

 private:
  Detector() = default;
  struct RawFace {  // in network input pixels
    cv::Rect2f box;
    float score = 0;
    std::vector<cv::Point2f> kps;
  };
  Result<std::vector<RawFace>> DecodeBlazeFace(const std::vector<cv::Mat>& outs) const;
  Result<std::vector<RawFace>> DecodeScrfd(const std::vector<cv::Mat>& outs) const;
  Result<std::vector<RawFace>> DecodeRfb(const std::vector<cv::Mat>& outs) const;

  enum class Kind { kBlazeFace, kScrfd, kRfb };  // parsed once: no string compares per inference
  Kind kind_ = Kind::kBlazeFace;
  std::string name_ = "blazeface";
  int input_ = 256;     // input width (and height, but for rfb)
  int input_h_ = 256;   // input height: rfb 240
  float min_score_ = 0.5f;
  std::unique_ptr<Network> net_;
  std::vector<cv::Point2f> anchors_;  // blazeface anchor centres in input pixels
};

// Greedy NMS over faces (IoU > iou dropped), keeps the order of decreasing score.
std::vector<DetectedFace> SuppressOverlaps(std::vector<DetectedFace> faces, float iou);

}  // namespace facepass::vision
