// The engine end to end on dev photos: faces found, largest chosen, upright rects for
// EXIF-rotated files, tight crops, small faces in large photos, scores, threads.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "vision/engine.h"
#include "vision/face_choice.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

using testing::Photo;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FP_REQUIRE_FACES();
    FP_REQUIRE_MODELS();
    engine_ = testing::SharedEngine();
    ASSERT_NE(engine_, nullptr);
  }
  Analysis Run(const std::string& bytes, Purpose p = Purpose::kRecognise, AnalyzeOptions o = {}) {
    auto a = engine_->Analyze(bytes, p, o);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a.value() : Analysis{};
  }
  Analysis RunPixels(const cv::Mat& img, AnalyzeOptions o = {}) {
    auto a = engine_->AnalyzePixels(img, Purpose::kRecognise, o);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a.value() : Analysis{};
  }
  static double Cos(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d += double(a[i]) * b[i];
    return d;
  }
  const Engine* engine_ = nullptr;
};

TEST_F(EngineTest, FeatureIsUnitLength) {
  Analysis a = Run(Photo("obama/1.jpg"));
  ASSERT_TRUE(a.best);
  ASSERT_EQ(int(a.best->feature.size()), engine_->feature_dim());
  EXPECT_NEAR(Cos(a.best->feature, a.best->feature), 1.0, 1e-4);
  EXPECT_EQ(a.best->aligned.cols, 112);  // the crop the embedder saw (arcface: 112x112)
  EXPECT_EQ(a.best->aligned.type(), CV_8UC3);
  EXPECT_FALSE(a.best->liveness.has_value());  // not asked
  EXPECT_FALSE(engine_->search_model().empty());
  EXPECT_FALSE(engine_->Models().embedder.id.empty());
}

TEST_F(EngineTest, LargestFaceIsChosen) {
  for (const char* p : {"group/obama-biden-side-by-side.jpg", "group/biden-obama-girl.jpg", "group/rose-kit.jpg"}) {
    Analysis a = Run(Photo(p));
    ASSERT_TRUE(a.best) << p;
    ASSERT_GE(a.faces.size(), 2u) << p;
    // The largest, or within kSameSizeMargin of it and nearer the centre.
    auto off = [&](const Rect& r) {
      return std::hypot((r.left + r.right) / 2.0 - a.width / 2.0, (r.top + r.bottom) / 2.0 - a.height / 2.0);
    };
    const Rect& b = a.best->face.rect;
    for (const auto& f : a.faces) {
      if (f.rect.area() <= b.area()) continue;
      EXPECT_GE(b.area(), (1 - kSameSizeMargin) * f.rect.area()) << p;
      EXPECT_LT(off(b), off(f.rect)) << p;
    }
  }
}

TEST_F(EngineTest, SixPeopleAreFound) {
  Analysis a = Run(Photo("group/six-people.jpg"));
  EXPECT_EQ(a.faces.size(), 6u);
}

TEST_F(EngineTest, NoFace) {
  cv::Mat img(480, 640, CV_8UC3);
  cv::randu(img, 0, 256);
  cv::GaussianBlur(img, img, cv::Size(), 3);
  Analysis a = Run(testing::Encode(img, ".jpg"), Purpose::kEnrol);
  EXPECT_EQ(a.verdict, ImageVerdict::kOk);
  EXPECT_TRUE(a.faces.empty());
  EXPECT_FALSE(a.best.has_value());
}

TEST_F(EngineTest, InvalidImagesReturnAVerdictNotAnError) {
  Analysis a = Run(Photo("obama/video-240p.jpg").substr(0, 3000), Purpose::kRecognise);
  EXPECT_EQ(a.verdict, ImageVerdict::kCorrupt);
  a = Run("GIF89a" + std::string(200, '\0'), Purpose::kCompare);
  EXPECT_EQ(a.verdict, ImageVerdict::kUnsupportedFormat);
  a = Run(Photo("obama/small-320x240.jpg"), Purpose::kEnrol);  // 320x240: fine for enrol
  EXPECT_EQ(a.verdict, ImageVerdict::kOk);
}

TEST_F(EngineTest, ExifRotatedPhotoGivesUprightRect) {
  std::string bytes = Photo("obama/1.jpg");
  Analysis upright = Run(bytes);
  ASSERT_TRUE(upright.best);
  auto img = DecodeUpright(bytes);
  ASSERT_TRUE(img.ok());
  for (int o : {3, 6, 8}) {
    cv::Mat stored;
    cv::rotate(img.value(), stored, o == 6 ? cv::ROTATE_90_COUNTERCLOCKWISE : o == 8 ? cv::ROTATE_90_CLOCKWISE : cv::ROTATE_180);
    std::string jpeg = testing::WithExifOrientation(testing::Encode(stored, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95}), o);
    Analysis a = Run(jpeg);
    EXPECT_EQ(a.width, upright.width) << o;
    EXPECT_EQ(a.height, upright.height) << o;
    ASSERT_TRUE(a.best) << o;
    const Rect &r = a.best->face.rect, &u = upright.best->face.rect;
    EXPECT_NEAR(r.left, u.left, 6) << o;
    EXPECT_NEAR(r.top, u.top, 6) << o;
    EXPECT_NEAR(r.right, u.right, 6) << o;
    EXPECT_NEAR(r.bottom, u.bottom, 6) << o;
    EXPECT_GT(Cos(a.best->feature, upright.best->feature), 0.95) << o;
  }
}

TEST_F(EngineTest, RgbaPngsWork) {
  for (const char* p : {"alex_lacamoire/3-rgba.png", "lin_manuel_miranda/1-rgba.png", "obama/rgba-32bit.png"}) {
    Analysis a = Run(Photo(p), Purpose::kEnrol);
    EXPECT_EQ(a.verdict, ImageVerdict::kOk) << p;
    EXPECT_TRUE(a.best) << p;
  }
  // The RGBA copy of obama/2.jpg yields the same person.
  Analysis a = Run(Photo("obama/rgba-32bit.png")), b = Run(Photo("obama/2.jpg"));
  ASSERT_TRUE(a.best && b.best);
  EXPECT_GT(Cos(a.best->feature, b.best->feature), 0.95);
}

TEST_F(EngineTest, TightFaceCropIsFound) {
  // Device captures can be tight crops: cut obama/1 to its detector box.
  auto img = DecodeUpright(Photo("obama/1.jpg"));
  ASSERT_TRUE(img.ok());
  Analysis full = RunPixels(img.value());
  ASSERT_TRUE(full.best);
  const Rect& r = full.best->face.rect;
  cv::Mat crop = img.value()(cv::Rect(r.left, r.top, r.width(), r.height())).clone();
  Analysis a = Run(testing::Encode(crop, ".jpg"), Purpose::kRecognise);
  ASSERT_TRUE(a.best) << "tight crop " << crop.cols << "x" << crop.rows;
  EXPECT_GT(engine_->Score(a.best->feature, full.best->feature), 70);
}

TEST_F(EngineTest, TinyRecogniseCapturesWork) {
  // Device captures down to the recognise minimum of 32 px: one face, same person.
  auto img = DecodeUpright(Photo("obama/1.jpg"));
  ASSERT_TRUE(img.ok());
  Analysis full = RunPixels(img.value());
  ASSERT_TRUE(full.best);
  const Rect& r = full.best->face.rect;
  for (int side : {32, 48, 64}) {
    cv::Mat small;
    cv::resize(img.value()(cv::Rect(r.left, r.top, r.width(), r.height())), small, cv::Size(side, side), 0, 0,
               cv::INTER_AREA);
    Analysis a = Run(testing::Encode(small, ".png"), Purpose::kRecognise);
    EXPECT_EQ(a.verdict, ImageVerdict::kOk);
    ASSERT_EQ(a.faces.size(), 1u) << side;
    EXPECT_GT(engine_->Score(a.best->feature, full.best->feature), 70) << side;
  }
}

TEST_F(EngineTest, SmallFaceInLargePhotoIsFoundByTiling) {
  // A 60 px face pasted into a 3000x3000 grey canvas is 5 px at the detector's input.
  auto img = DecodeUpright(Photo("obama/video-240p.jpg"));
  ASSERT_TRUE(img.ok());
  cv::Mat canvas(3000, 3000, CV_8UC3, cv::Scalar(120, 120, 120));
  img.value().copyTo(canvas(cv::Rect(2100, 1700, img.value().cols, img.value().rows)));
  Analysis a = RunPixels(canvas);
  ASSERT_TRUE(a.best);
  const Rect& r = a.best->face.rect;
  EXPECT_GT(r.left, 2100);
  EXPECT_LT(r.right, 2100 + img.value().cols);
  EXPECT_GT(r.top, 1700);
}

TEST_F(EngineTest, FullBodyPhotosFindTheFace) {
  for (const char* p : {"biden/1.jpg", "kate_siegel/1.jpg", "kit_harington/1.jpg", "obama/3.jpg"}) {
    Analysis a = Run(Photo(p));
    EXPECT_EQ(a.faces.size(), 1u) << p;
  }
}

TEST_F(EngineTest, ScoreMapping) {
  float prev = 0;
  for (float c = -1.f; c <= 1.0001f; c += 0.01f) {
    float s = engine_->ScoreFromSimilarity(c);
    EXPECT_GT(s, 0.f);
    EXPECT_LE(s, 100.f);
    EXPECT_GT(s, prev) << c;  // strictly increasing
    prev = s;
  }
  EXPECT_FLOAT_EQ(engine_->ScoreFromSimilarity(1.f), 100.f);
  std::vector<float> a(engine_->feature_dim(), 0.f), b = a;
  a[0] = 1;
  b[1] = 1;
  EXPECT_FLOAT_EQ(engine_->Score(a, a), 100.f);
  EXPECT_FLOAT_EQ(engine_->Score(a, b), engine_->ScoreFromSimilarity(0.f));
  EXPECT_GT(engine_->Score(a, std::vector<float>{1.f}), 0.f);  // mismatched sizes: lowest score
}

TEST_F(EngineTest, LivenessScoreInRange) {
  AnalyzeOptions o;
  o.liveness = true;
  Analysis a = Run(Photo("obama/1.jpg"), Purpose::kCompare, o);
  ASSERT_TRUE(a.best);
  ASSERT_TRUE(a.best->liveness.has_value());
  EXPECT_GE(*a.best->liveness, 0.f);
  EXPECT_LE(*a.best->liveness, 100.f);
}

TEST_F(EngineTest, ConcurrentCallsMatchSerialOnes) {
  const char* photos[] = {"obama/1.jpg", "biden/2.jpg", "rose_leslie/2.jpg", "obama/video-720p.jpg"};
  std::vector<std::string> bytes;
  std::vector<std::vector<float>> serial;
  for (const char* p : photos) {
    bytes.push_back(Photo(p));
    Analysis a = Run(bytes.back());
    ASSERT_TRUE(a.best) << p;
    serial.push_back(a.best->feature);
  }
  // More threads than pooled instances (4): callers wait for a free instance.
  std::vector<std::thread> threads;
  std::vector<double> worst(6, 1.0);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 4; ++k) {
        size_t i = (t + k) % bytes.size();
        auto a = engine_->Analyze(bytes[i], Purpose::kRecognise, {});
        if (!a.ok() || !a.value().best) { worst[t] = -1; continue; }
        worst[t] = std::min(worst[t], Cos(a.value().best->feature, serial[i]));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (double w : worst) EXPECT_GT(w, 0.9999);
}

// The liveness model is selectable; faceplugin's scores a live dev photo as live.
TEST(EngineLivenessKind, FacepluginIsSelectableAndUnknownKindsAreRefused) {
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  if (!std::filesystem::exists(testing::ModelsDir() / "fp_liveness.onnx"))
    GTEST_SKIP() << "no fp_liveness.onnx: run scripts/fetch-models.sh";
  EngineOptions o;
  o.models_dir = testing::ModelsDir();
  o.pool_size = 1;
  o.liveness_kind = "faceplugin";
  auto e = Engine::Create(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_TRUE((*e)->Models().liveness.has_value());
  EXPECT_EQ((*e)->Models().liveness->kind, "faceplugin");
  auto a = (*e)->Analyze(testing::Photo("obama/1.jpg"), Purpose::kCompare, {.embed = false, .liveness = true});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->best && a->best->liveness);
  EXPECT_GE(*a->best->liveness, 50.f);
  EXPECT_LE(*a->best->liveness, 100.f);
  o.liveness_kind = "blink";
  auto bad = Engine::Create(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace facepass::vision
