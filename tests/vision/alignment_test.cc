#include "vision/alignment.h"

#include <cmath>

#include <gtest/gtest.h>

#include "vision/landmarks.h"

namespace facepass::vision {
namespace {

cv::Point2f Apply(const cv::Mat& m, cv::Point2f p) {
  return {float(m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2)),
          float(m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2))};
}

// dlib's mean face at padding 0.25 in a 150 px chip: (0.25 + p) / 1.5 * 150 = 100 (0.25 + p).
const cv::Point2f kExpected150[5] = {{110.95674596f, 46.34981538f},
                                     {89.60604764f, 47.89674388f},
                                     {37.05750621f, 46.37274527f},
                                     {58.40850614f, 47.90642403f},
                                     {74.01123136f, 87.77975316f}};

// A mesh whose dlib points (263, 362, 33, 133, 2) sit where `to_image` puts the chip's.
std::vector<cv::Point2f> MeshFromChip(const cv::Mat& to_image) {
  std::vector<cv::Point2f> mesh(FaceMesh::kPoints, cv::Point2f(0, 0));
  const int index[5] = {263, 362, 33, 133, 2};
  for (int i = 0; i < 5; ++i) mesh[index[i]] = Apply(to_image, kExpected150[i]);
  return mesh;
}

TEST(DlibChip, TemplateIsDlibsMeanFaceWithPadding) {
  const auto t = DlibChipTemplate(150, kDlibChipPadding);
  ASSERT_EQ(t.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(t[i].x, kExpected150[i].x, 1e-3) << i;
    EXPECT_NEAR(t[i].y, kExpected150[i].y, 1e-3) << i;
  }
  // No padding: the mean face fills the unit square scaled to the chip.
  EXPECT_NEAR(DlibChipTemplate(100, 0.f)[4].y, 62.77975316f, 1e-3);
  // Zoom shrinks around the centre.
  EXPECT_NEAR(DlibChipTemplate(150, kDlibChipPadding, 0.5f)[0].x, 75 + (110.95674596f - 75) * 0.5f, 1e-3);
}

TEST(DlibChip, RotatedScaledFaceMapsOntoTheChip) {
  // A face 2.5x the chip, turned 20 degrees, shifted: the transform undoes exactly that.
  const double a = 20 * M_PI / 180, s = 2.5;
  cv::Mat to_image = (cv::Mat_<double>(2, 3) << s * std::cos(a), -s * std::sin(a), 300, s * std::sin(a),
                      s * std::cos(a), 200);
  const auto mesh = MeshFromChip(to_image);
  const auto five = DlibFivePointsFromMesh(mesh);
  ASSERT_EQ(five.size(), 5u);
  EXPECT_NEAR(five[0].x, mesh[263].x, 0);  // dlib order: subject's left eye outer corner first
  EXPECT_NEAR(five[4].y, mesh[2].y, 0);
  cv::Mat m = DlibChipTransform(five, 150, kDlibChipPadding);
  ASSERT_FALSE(m.empty());
  for (int i = 0; i < 5; ++i) {
    cv::Point2f p = Apply(m, five[i]);
    EXPECT_NEAR(p.x, kExpected150[i].x, 1e-3) << i;
    EXPECT_NEAR(p.y, kExpected150[i].y, 1e-3) << i;
  }
  EXPECT_NEAR(std::hypot(m.at<double>(0, 0), m.at<double>(1, 0)), 1 / s, 1e-6);
  EXPECT_NEAR(std::atan2(m.at<double>(1, 0), m.at<double>(0, 0)), -a, 1e-6);
}

TEST(DlibChip, LeastSquaresSpreadsTheErrorOfANoisyPoint) {
  // One point off by 4 px: the fit is no longer exact but stays within that error.
  cv::Mat identity = (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, 0);
  auto mesh = MeshFromChip(identity);
  mesh[2].y += 4;
  cv::Mat m = DlibChipTransform(DlibFivePointsFromMesh(mesh), 150, kDlibChipPadding);
  ASSERT_FALSE(m.empty());
  for (int i = 0; i < 4; ++i) EXPECT_LT(cv::norm(Apply(m, kExpected150[i]) - kExpected150[i]), 4.0) << i;
}

TEST(DlibChip, EyesOnlyGoToTheEyeCornerCentres) {
  const cv::Point2f left(50, 60), right(110, 60);  // image-left eye first
  cv::Mat m = DlibChipTransformFromEyes(left, right, 150, kDlibChipPadding);
  ASSERT_FALSE(m.empty());
  const cv::Point2f l = Apply(m, left), r = Apply(m, right);
  EXPECT_NEAR(l.x, (kExpected150[2].x + kExpected150[3].x) / 2, 1e-3);
  EXPECT_NEAR(r.x, (kExpected150[0].x + kExpected150[1].x) / 2, 1e-3);
  EXPECT_NEAR(l.y, (kExpected150[2].y + kExpected150[3].y) / 2, 1e-3);
}

TEST(DlibChip, DegenerateInputsGiveNoTransform) {
  EXPECT_TRUE(DlibFivePointsFromMesh({}).empty());
  EXPECT_TRUE(DlibChipTransform({}, 150, kDlibChipPadding).empty());
  std::vector<cv::Point2f> same(5, cv::Point2f(7, 7));
  EXPECT_TRUE(DlibChipTransform(same, 150, kDlibChipPadding).empty());
}

TEST(LandmarkBox, SquareAroundJawAndBrowsPaddedByATenthEachSide) {
  // Brows at y 100, chin at y 300, jaw from x 150 to x 310: 200 tall, so a 240 px square.
  std::vector<cv::Point2f> mesh(FaceMesh::kPoints, cv::Point2f(230, 200));
  mesh[70] = {200, 100};   // a brow
  mesh[152] = {230, 300};  // chin
  mesh[127] = {150, 160};  // jaw at the ears
  mesh[356] = {310, 160};
  cv::Mat m = LandmarkBoxTransform(mesh, 150, 1.f);
  ASSERT_FALSE(m.empty());
  const cv::Point2f c = Apply(m, {230, 200});
  EXPECT_NEAR(c.x, 75, 1e-3);
  EXPECT_NEAR(c.y, 75, 1e-3);
  EXPECT_NEAR(m.at<double>(0, 0), 150.0 / 240.0, 1e-6);
  EXPECT_NEAR(m.at<double>(0, 1), 0, 1e-9);  // upright: face-api does not rotate
  EXPECT_TRUE(LandmarkBoxTransform({}, 150, 1.f).empty());
}

}  // namespace
}  // namespace facepass::vision
