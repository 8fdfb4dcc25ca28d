// Dense face landmarks: human's facemesh (468 points) on a rotation-corrected crop
// around the detected face. Used for pose and for alignment.
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/network.h"
#include "vision/types.h"

namespace facepass::vision {

// The similarity transform that maps image pixels into a size x size crop centred on
// `centre`, `side` image pixels wide, rotated by `angle` radians (eyes level).
cv::Mat CropTransform(cv::Point2f centre, float side, float angle, int size);

class FaceMesh {
 public:
  static constexpr int kPoints = 468;
  static constexpr int kInput = 192;  // input side
  static Result<std::unique_ptr<FaceMesh>> Create(const std::filesystem::path& file, const LoadOptions& load);

  // 468 points in image pixels; confidence is the model's face-presence score in [0,1];
  // depth (optional) receives each point's z in image-pixel units (larger = farther).
  Result<std::vector<cv::Point2f>> Run(const cv::Mat& bgr, const DetectedFace& face,
                                       float* confidence, std::vector<float>* depth = nullptr) const;
  const Network& network() const { return *net_; }

 private:
  FaceMesh() = default;
  std::unique_ptr<Network> net_;
};

// Roll of the eye line in radians from the detector keypoints (0 when absent).
float EyeAngle(const std::vector<cv::Point2f>& kps);

// Five points (image-left eye, image-right eye, nose tip, image-left mouth corner,
// image-right mouth corner) from the mesh, or approximated from detector keypoints.
std::vector<cv::Point2f> FivePoints(const DetectedFace& face, const std::vector<cv::Point2f>& mesh);

}  // namespace facepass::vision
