// Face detection over a whole photo with one of the detector models
// (vision/detector_model.h: BlazeFace, SCRFD, RFB): each pass letterboxes a region to
// the model's input. Small faces in large photos are found by a tiled second pass;
// tight face crops by a padded pass.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/detector_model.h"
#include "vision/engine.h"
#include "vision/model_registry.h"
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

  std::string kind() const { return Spec(kind_).name; }
  int input_size() const { return model_->input().width; }
  const Network& network() const { return model_->network(); }

 private:
  Detector() = default;
  DetectorKind kind_ = DetectorKind::kBlazeFace;  // parsed once: no string compares per inference
  float min_score_ = 0.5f;
  std::unique_ptr<DetectorModel> model_;  // the network with its pre- and post-processing
};

// Greedy NMS over faces (IoU > iou dropped), keeps the order of decreasing score.
std::vector<DetectedFace> SuppressOverlaps(std::vector<DetectedFace> faces, float iou);

}  // namespace facepass::vision
