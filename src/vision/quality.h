// Face quality: head pose, blur, brightness and contrast, plus the enrol gates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "vision/types.h"

namespace facepass::vision {

// No-reference blur of a grey image after Crete et al. 2007 ("The blur effect"):
// re-blurring a sharp image removes much more neighbour variation than re-blurring a
// blurred one. 0 = sharp, 1 = fully blurred; the larger of the two directions.
float CreteBlur(const cv::Mat& grey);

// The blur of a face: Crete on the face box resized to a fixed height (so that the
// figure does not depend on the photo's resolution), rescaled so that the enrol gate
// 0.2 sits between sharp and visibly soft faces (see docs/models.md).
float FaceBlur(const cv::Mat& grey, const Rect& rect);

// Pose from the 468 face-mesh points: solvePnP of six points against a 3D mean face.
Pose PoseFromMesh(const std::vector<cv::Point2f>& mesh, cv::Size image);

// Pose from the mesh's own 3D points (x, y and the model's z): yaw from the eye corners,
// pitch from forehead to chin, roll from the eye line.
Pose PoseFromMesh3D(const std::vector<cv::Point2f>& mesh, const std::vector<float>& depth);

// Rough pose from the detector's six keypoints (used when no mesh model is loaded).
Pose PoseFromKeypoints(const std::vector<cv::Point2f>& kps);

// Fills every field of Quality for `rect` of the upright BGR image.
Quality MeasureQuality(const cv::Mat& bgr, const cv::Mat& grey, const DetectedFace& face,
                       const std::vector<cv::Point2f>& mesh, const std::vector<float>& depth = {});

}  // namespace facepass::vision
