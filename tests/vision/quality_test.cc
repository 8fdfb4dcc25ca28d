// Quality metrics and the enrol gates: formatting and order (no model), then the
// contract's dev-photo cases: sharp passes, blurred / dark / rotated fail on their gate.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "vision/engine.h"
#include "vision/quality.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

Quality Passing() {
  Quality q;
  q.face_min = 200;
  q.blur = 0.05f;
  q.brightness = 128;
  q.std_deviation = 40;
  return q;
}

TEST(Gates, PassingQuality) { EXPECT_EQ(FirstFailedGate(Passing()), std::nullopt); }

TEST(Gates, ReasonFormat) {
  Quality q = Passing();
  q.face_min = 88;
  EXPECT_EQ(FirstFailedGate(q), "face_min=88<100");
  q = Passing();
  q.pose.yaw = 27.4f;
  EXPECT_EQ(FirstFailedGate(q), "yaw=27.4>20");
  q.pose.yaw = -27.4f;  // absolute value compared and shown
  EXPECT_EQ(FirstFailedGate(q), "yaw=27.4>20");
  q = Passing();
  q.pose.pitch = -21;
  EXPECT_EQ(FirstFailedGate(q), "pitch=21>20");
  q = Passing();
  q.pose.roll = 20.04f;  // shown with enough decimals to stay above the limit
  EXPECT_EQ(FirstFailedGate(q), "roll=20.04>20");
  q = Passing();
  q.blur = 0.31f;
  EXPECT_EQ(FirstFailedGate(q), "blur=0.31>0.2");
  q = Passing();
  q.brightness = 62;
  EXPECT_EQ(FirstFailedGate(q), "brightness=62<75");
  q.brightness = 74.8f;
  EXPECT_EQ(FirstFailedGate(q), "brightness=74.8<75");
  q.brightness = 230;
  EXPECT_EQ(FirstFailedGate(q), "brightness=230>210");
  q = Passing();
  q.std_deviation = 85.26f;
  EXPECT_EQ(FirstFailedGate(q), "std_deviation=85.3>80");
}

TEST(Gates, LimitsAreInclusive) {
  Quality q = Passing();
  q.face_min = 100;
  q.pose = {20, -20, 20};
  q.blur = 0.2f;
  q.brightness = 75;
  q.std_deviation = 80;
  EXPECT_EQ(FirstFailedGate(q), std::nullopt);
  q.brightness = 210;
  EXPECT_EQ(FirstFailedGate(q), std::nullopt);
}

TEST(Gates, OrderIsFaceMinYawPitchRollBlurBrightnessStd) {
  Quality q;
  q.face_min = 50;
  q.pose = {30, 30, 30};
  q.blur = 0.9f;
  q.brightness = 10;
  q.std_deviation = 100;
  const char* expected[] = {"face_min", "yaw", "pitch", "roll", "blur", "brightness", "std_deviation"};
  for (const char* name : expected) {
    auto r = FirstFailedGate(q);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->substr(0, r->find('=')), name);
    std::string n = name;
    if (n == "face_min") q.face_min = 150;
    if (n == "yaw") q.pose.yaw = 0;
    if (n == "pitch") q.pose.pitch = 0;
    if (n == "roll") q.pose.roll = 0;
    if (n == "blur") q.blur = 0;
    if (n == "brightness") q.brightness = 120;
    if (n == "std_deviation") q.std_deviation = 30;
  }
  EXPECT_EQ(FirstFailedGate(q), std::nullopt);
}

TEST(Blur, CreteRisesWithGaussianBlur) {
  cv::Mat img(200, 200, CV_8UC1);
  cv::randu(img, 0, 256);
  cv::GaussianBlur(img, img, cv::Size(), 1.0);  // natural-ish texture
  float prev = CreteBlur(img);
  EXPECT_LT(prev, 0.5f);
  for (double sigma : {1.0, 2.0, 4.0}) {
    cv::Mat b;
    cv::GaussianBlur(img, b, cv::Size(), sigma);
    float v = CreteBlur(b);
    EXPECT_GT(v, prev) << sigma;
    prev = v;
  }
  EXPECT_GT(prev, 0.5f);
  cv::Mat flat(100, 100, CV_8UC1, cv::Scalar(90));
  EXPECT_FLOAT_EQ(CreteBlur(flat), 1.f);  // no detail at all = fully blurred
}

TEST(Blur, FaceBlurIsInUnitRange) {
  cv::Mat img(300, 300, CV_8UC1);
  cv::randu(img, 0, 256);
  Rect r{50, 50, 250, 250};
  float v = FaceBlur(img, r);
  EXPECT_GE(v, 0.f);
  EXPECT_LE(v, 1.f);
}

// The contract's cases, on a sharp frontal dev photo.
class DevQuality : public ::testing::Test {
 protected:
  void SetUp() override {
    FP_REQUIRE_FACES();
    FP_REQUIRE_MODELS();
    engine_ = testing::SharedEngine();
    ASSERT_NE(engine_, nullptr);
    auto img = DecodeUpright(testing::Photo("obama/1.jpg"));
    ASSERT_TRUE(img.ok());
    img_ = img.value();
  }
  FaceResult Best(const cv::Mat& img) {
    AnalyzeOptions o;
    o.embed = false;
    auto a = engine_->AnalyzePixels(img, Purpose::kEnrol, o);
    EXPECT_TRUE(a.ok());
    if (!a.ok() || !a.value().best) {
      ADD_FAILURE() << "no face";
      return {};
    }
    return *a.value().best;
  }
  const Engine* engine_ = nullptr;
  cv::Mat img_;
};

TEST_F(DevQuality, SharpFrontalPhotoPasses) {
  FaceResult f = Best(img_);
  const Quality& q = f.quality;
  EXPECT_EQ(FirstFailedGate(q), std::nullopt)
      << "yaw " << q.pose.yaw << " pitch " << q.pose.pitch << " roll " << q.pose.roll << " blur " << q.blur
      << " brightness " << q.brightness << " std " << q.std_deviation << " min " << q.face_min;
  EXPECT_LT(std::abs(q.pose.yaw), 10);
  EXPECT_LT(std::abs(q.pose.pitch), 10);
  EXPECT_LT(std::abs(q.pose.roll), 5);
  EXPECT_GT(q.face_min, 200);
  // The same through the byte path (JPEG validation + decode).
  auto a = engine_->Analyze(testing::Photo("obama/1.jpg"), Purpose::kEnrol, {});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.value().best);
  EXPECT_EQ(FirstFailedGate(a.value().best->quality), std::nullopt);
  EXPECT_EQ(a.value().format, "jpeg");
}

TEST_F(DevQuality, GaussianBlurSigma3FailsOnBlur) {
  cv::Mat blurred;
  cv::GaussianBlur(img_, blurred, cv::Size(), 3.0);
  FaceResult f = Best(blurred);
  auto gate = FirstFailedGate(f.quality);
  ASSERT_TRUE(gate.has_value());
  EXPECT_EQ(gate->rfind("blur=", 0), 0u) << *gate;
}

TEST_F(DevQuality, DarkenedFailsOnBrightness) {
  cv::Mat dark;
  img_.convertTo(dark, -1, 0.4, 0);
  FaceResult f = Best(dark);
  auto gate = FirstFailedGate(f.quality);
  ASSERT_TRUE(gate.has_value());
  EXPECT_EQ(gate->rfind("brightness=", 0), 0u) << *gate;
  EXPECT_LT(f.quality.brightness, 75);
}

TEST_F(DevQuality, OverExposedFailsOnBrightness) {
  cv::Mat bright;
  img_.convertTo(bright, -1, 1.0, 90);
  FaceResult f = Best(bright);
  auto gate = FirstFailedGate(f.quality);
  ASSERT_TRUE(gate.has_value());
  EXPECT_EQ(gate->rfind("brightness=", 0), 0u) << *gate;
}

TEST_F(DevQuality, RotatedThirtyDegreesFailsOnRoll) {
  for (double angle : {30.0, -30.0}) {
    cv::Point2f c(img_.cols / 2.f, img_.rows / 2.f);
    cv::Mat m = cv::getRotationMatrix2D(c, angle, 1.0), rotated;
    cv::warpAffine(img_, rotated, m, img_.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    FaceResult f = Best(rotated);
    auto gate = FirstFailedGate(f.quality);
    ASSERT_TRUE(gate.has_value()) << angle;
    EXPECT_EQ(gate->rfind("roll=", 0), 0u) << *gate;
    EXPECT_NEAR(std::abs(f.quality.pose.roll), 30, 4) << angle;
  }
}

TEST_F(DevQuality, TurnedFaceHasLargeYaw) {
  // kit_harington/3 looks clearly aside; obama/1 is frontal.
  auto img = DecodeUpright(testing::Photo("kit_harington/3.jpg"));
  ASSERT_TRUE(img.ok());
  FaceResult turned = Best(img.value());
  FaceResult frontal = Best(img_);
  EXPECT_GT(std::abs(turned.quality.pose.yaw), std::abs(frontal.quality.pose.yaw) + 8);
}

}  // namespace
}  // namespace facepass::vision
