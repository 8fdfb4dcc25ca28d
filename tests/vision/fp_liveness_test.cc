// FpLiveness (faceplugin's fr_liveness.onnx): loading, the crop it sees, a recorded
// output on a generated input, and live photos against their screen recaptures.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/fp_liveness.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

std::filesystem::path ModelFile() { return testing::ModelsDir() / "fp_liveness.onnx"; }

#define FP_REQUIRE_FP_LIVENESS() \
  if (!std::filesystem::exists(ModelFile())) GTEST_SKIP() << "fp_liveness.onnx absent: " << ModelFile()

const FpLiveness* Shared() {
  static std::once_flag once;
  static std::unique_ptr<FpLiveness> model;
  std::call_once(once, [] {
    auto m = FpLiveness::Create(ModelFile(), testing::DefaultLoad(2));
    if (m.ok()) model = std::move(m.value());
    else ADD_FAILURE() << m.status().ToString();
  });
  return model.get();
}

// The photo on a monitor, photographed (a shorter cousin of facepass-liveness-eval's
// screen rendering): raised black level, blue cast, moiré bands, dark bezel, blur, JPEG.
cv::Mat ScreenRecapture(const cv::Mat& photo) {
  cv::Mat f;
  photo.convertTo(f, CV_32FC3, 1 / 255.0);
  for (int y = 0; y < f.rows; ++y) {
    auto* row = f.ptr<cv::Vec3f>(y);
    for (int x = 0; x < f.cols; ++x) {
      float band = float(1 + 0.06 * std::cos(2 * CV_PI * (0.011 * x + 0.006 * y)));
      const float cast[3] = {1.08f, 1.f, 0.9f};
      for (int c = 0; c < 3; ++c)
        row[x][c] = std::clamp((0.06f + 0.94f * std::pow(row[x][c], 0.8f)) * cast[c] * band, 0.f, 1.f);
    }
  }
  cv::Mat screen, out;
  f.convertTo(screen, CV_8UC3, 255);
  int bezel = std::max(6, std::max(screen.cols, screen.rows) / 20);
  cv::copyMakeBorder(screen, out, bezel, bezel, bezel, bezel, cv::BORDER_CONSTANT, cv::Scalar(18, 18, 20));
  cv::copyMakeBorder(out, out, bezel * 2, bezel * 2, bezel * 2, bezel * 2, cv::BORDER_CONSTANT,
                     cv::Scalar(120, 125, 130));
  cv::GaussianBlur(out, out, cv::Size(0, 0), 1.1);
  std::vector<uchar> buf;
  cv::imencode(".jpg", out, buf, {cv::IMWRITE_JPEG_QUALITY, 70});
  return cv::imdecode(buf, cv::IMREAD_COLOR);
}

TEST(FpLivenessTest, LoadsAndNamesItsModel) {
  FP_REQUIRE_FP_LIVENESS();
  const FpLiveness* m = Shared();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->id().rfind("fp_liveness-", 0), 0u) << m->id();
  EXPECT_EQ(m->network().output_names().size(), 1u);
}

TEST(FpLivenessTest, MissingFileIsNotFound) {
  auto m = FpLiveness::Create(testing::ModelsDir() / "no-such-model.onnx", testing::DefaultLoad());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
}

TEST(FpLivenessTest, ContextBoxIsScaledAndKeptInside) {
  // Room all round: 2.7x the box about its centre.
  cv::Rect r = FpLiveness::ContextBox(Rect{450, 450, 550, 550}, 1000, 1000);
  EXPECT_NEAR(r.width, 270, 1);
  EXPECT_NEAR(r.height, 270, 1);
  EXPECT_NEAR(r.x + r.width / 2.0, 500, 1);
  // Near a corner: shifted, not cut.
  r = FpLiveness::ContextBox(Rect{0, 0, 100, 100}, 1000, 1000);
  EXPECT_EQ(r.x, 0);
  EXPECT_EQ(r.y, 0);
  EXPECT_NEAR(r.width, 270, 1);
  // Face too large for 2.7x: limited to the image.
  r = FpLiveness::ContextBox(Rect{100, 50, 300, 250}, 400, 300);
  EXPECT_LE(r.x + r.width, 400);
  EXPECT_LE(r.y + r.height, 300);
  EXPECT_GE(r.height, 297);
  EXPECT_TRUE(FpLiveness::ContextBox(Rect{10, 10, 10, 40}, 100, 100).empty());  // zero width
}

TEST(FpLivenessTest, BadInputIsAnErrorNotAnException) {
  FP_REQUIRE_FP_LIVENESS();
  const FpLiveness* m = Shared();
  ASSERT_NE(m, nullptr);
  DetectedFace face;
  face.rect = Rect{10, 10, 50, 50};
  EXPECT_FALSE(m->Score(cv::Mat(), face).ok());
  EXPECT_FALSE(m->Score(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0)), face).ok());
  face.rect = Rect{20, 20, 20, 60};
  EXPECT_FALSE(m->Score(cv::Mat(100, 100, CV_8UC3, cv::Scalar(0)), face).ok());
  face.rect = Rect{0, 0, 1, 1};  // a 1-pixel face in a 2x2 image still gives a crop
  auto tiny = m->Score(cv::Mat(2, 2, CV_8UC3, cv::Scalar(90)), face);
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
}

TEST(FpLivenessTest, KnownOutputOnGeneratedFace) {
  FP_REQUIRE_FP_LIVENESS();
  const FpLiveness* m = Shared();
  ASSERT_NE(m, nullptr);
  DetectedFace face;
  const int* b = testing::kSyntheticFaceBox;
  face.rect = Rect{b[0], b[1], b[2], b[3]};
  const cv::Mat img = testing::SyntheticFace();
  auto p = m->Probabilities(img, face);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_NEAR(p.value()[0] + p.value()[1] + p.value()[2], 1.0, 1e-5);
  auto s = m->Score(img, face);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FLOAT_EQ(s.value(), 100 * p.value()[FpLiveness::kLiveClass]);
  // Recorded with OpenCV 4.6 DNN on x86-64 (fp_liveness.onnx of faceplugin 0.0.1): a
  // mid-range value, so a change of crop, channel order or class moves it.
  EXPECT_NEAR(s.value(), 25.3194, 1e-3) << "p = " << p.value()[0] << " " << p.value()[1] << " " << p.value()[2];
}

TEST(FpLivenessTest, LivePhotosScoreAboveTheirScreenRecaptures) {
  FP_REQUIRE_FP_LIVENESS();
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  const FpLiveness* m = Shared();
  const Engine* engine = testing::SharedEngine();
  ASSERT_NE(m, nullptr);
  ASSERT_NE(engine, nullptr);
  std::ifstream list(testing::FacesDir() / "faces.csv");
  std::string line;
  std::getline(list, line);
  double live_sum = 0, screen_sum = 0;
  int n = 0;
  auto score = [&](const cv::Mat& img, float* out) {
    auto a = engine->AnalyzePixels(img, Purpose::kRecognise, {.embed = false});
    if (!a.ok() || !a->best) return false;
    auto s = m->Score(img, a->best->face);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return false;
    EXPECT_GE(s.value(), 0.f);
    EXPECT_LE(s.value(), 100.f);
    *out = s.value();
    return true;
  };
  while (std::getline(list, line)) {
    std::string rel = line.substr(0, line.find(','));
    auto img = DecodeUpright(testing::Photo(rel));
    ASSERT_TRUE(img.ok()) << rel;
    float live, screen;
    if (!score(img.value(), &live) || !score(ScreenRecapture(img.value()), &screen)) continue;
    EXPECT_GE(live, 50.f) << rel << ": a live dev photo fails the default threshold";
    live_sum += live;
    screen_sum += screen;
    ++n;
  }
  ASSERT_GE(n, 25);
  RecordProperty("live_mean", std::to_string(live_sum / n));
  RecordProperty("screen_mean", std::to_string(screen_sum / n));
  // Measured: live 99.79, screen 83.33. The current pair (vision::Liveness) scores these
  // screens no lower than the live photos (78.8 vs 79.3), so this can fail.
  EXPECT_GT(live_sum / n, screen_sum / n + 8.0) << "live mean " << live_sum / n << ", screen mean " << screen_sum / n;
}

}  // namespace
}  // namespace facepass::vision
