// Crop geometry shared by the embedders: the least-squares similarity fit and dlib's
// face chip (the crop dlib's face recognition ResNet was trained on).
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace facepass::vision {

// The similarity transform (rotation, uniform scale, shift; no reflection) that maps
// `src` onto `dst` with the least squared error, in closed form, as a 2x3 CV_64F
// matrix. Empty if there are fewer than two points or they coincide.
cv::Mat SimilarityLeastSquares(const std::vector<cv::Point2f>& src, const std::vector<cv::Point2f>& dst);

// dlib's face chip (dlib::get_face_chip_details for a five-point shape): the five
// points in dlib's order (subject's left eye outer and inner corner, subject's right
// eye outer and inner corner, the base of the nose) go by a similarity fit onto dlib's
// mean face, which covers the unit square widened by `padding` on every side, scaled
// to a size x size chip. dlib's face recognition ResNet was trained on 150 px chips
// with padding 0.25.
inline constexpr int kDlibChipPoints = 5;
inline constexpr float kDlibChipPadding = 0.25f;

// Where dlib's mean face puts the five points in a size x size chip; `zoom` < 1 shrinks
// them around the chip's centre (more of the head shows), 1 is dlib's chip.
std::vector<cv::Point2f> DlibChipTemplate(int size, float padding, float zoom = 1.f);

// dlib's five points from facemesh's 468 (outer and inner eye corners 263/362 and
// 33/133, the base of the nose 2); empty when the mesh is missing.
std::vector<cv::Point2f> DlibFivePointsFromMesh(const std::vector<cv::Point2f>& mesh);

// The image -> chip transform for dlib's five points (2x3, CV_64F); empty if degenerate.
cv::Mat DlibChipTransform(const std::vector<cv::Point2f>& five, int size, float padding, float zoom = 1.f);

// The same chip from the two eye centres only (image-left first), for faces without a
// mesh: the eyes go where the centres of dlib's eye-corner pairs sit.
cv::Mat DlibChipTransformFromEyes(cv::Point2f left_eye, cv::Point2f right_eye, int size, float padding,
                                  float zoom = 1.f);

// face-api's own crop for this network: the axis-aligned square around the points that
// stand for dlib's 68 landmarks (jaw line, brows; the eyes, nose and mouth lie inside),
// its box padded by 10 % of its size on each side (face-api's minimum box padding 0.2),
// then squared around its centre. Image -> crop transform (2x3, CV_64F); empty without
// a mesh.
cv::Mat LandmarkBoxTransform(const std::vector<cv::Point2f>& mesh, int size, float zoom);

}  // namespace facepass::vision
