// BlendedLiveness (the default liveness): loading, its score is the weighted mean of the
// three models' own outputs, every live dev photo passes the default 50 through the
// engine, and the engine's fall-back to the pair on a models folder without
// fp_liveness.onnx.
#include <gtest/gtest.h>

#include "dataset.h"
#include "spec/pass_rule.h"
#include "store/temp_dir.h"
#include "vision/blended_liveness.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

bool HaveLivenessModels() {
  for (const char* f : {"antispoof.onnx", "liveness.onnx", "fp_liveness.onnx"})
    if (!std::filesystem::exists(testing::ModelsDir() / f)) return false;
  return true;
}
#define FP_REQUIRE_LIVENESS_MODELS() \
  if (!HaveLivenessModels()) GTEST_SKIP() << "liveness models absent (run scripts/fetch-models.sh)"

Result<std::unique_ptr<BlendedLiveness>> Load(const std::string& fp_file = "fp_liveness.onnx") {
  const auto dir = testing::ModelsDir();
  return BlendedLiveness::Create(dir / "antispoof.onnx", dir / "liveness.onnx", dir / fp_file, testing::DefaultLoad());
}

// The shared synthetic face with its box.
cv::Mat Picture(DetectedFace* face) {
  const int* b = testing::kSyntheticFaceBox;
  face->rect = Rect{b[0], b[1], b[2], b[3]};
  face->score = 1;
  return testing::SyntheticFace();
}

TEST(BlendedLivenessTest, NeedsAllThreeModels) {
  FP_REQUIRE_LIVENESS_MODELS();
  auto ok = Load();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->id().rfind("blend-antispoof-", 0), 0u) << (*ok)->id();
  EXPECT_NE((*ok)->id().find("fp_liveness-"), std::string::npos) << (*ok)->id();
  EXPECT_FALSE(Load("no-such-fp-liveness.onnx").ok());
}

// The score is exactly the documented weighted mean of what each model says on its own.
TEST(BlendedLivenessTest, ScoreIsTheWeightedMeanOfTheThreeModels) {
  FP_REQUIRE_LIVENESS_MODELS();
  auto blend = Load();
  ASSERT_TRUE(blend.ok()) << blend.status().ToString();
  const auto dir = testing::ModelsDir();
  auto pair = Liveness::Create(dir / "antispoof.onnx", dir / "liveness.onnx", testing::DefaultLoad());
  auto fp = FpLiveness::Create(dir / "fp_liveness.onnx", testing::DefaultLoad());
  ASSERT_TRUE(pair.ok() && fp.ok());
  DetectedFace face;
  const cv::Mat img = Picture(&face);
  float antispoof = -1, live = -1;
  ASSERT_TRUE((*pair)->Probabilities(img, face, &antispoof, &live).ok());
  auto p = (*fp)->Probabilities(img, face);
  ASSERT_TRUE(p.ok());
  auto s = (*blend)->Score(img, face);
  ASSERT_TRUE(s.ok());
  const float expected = 100.f * (0.35f * antispoof + 0.35f * live + 0.3f * (*p)[FpLiveness::kLiveClass]);
  EXPECT_NEAR(*s, expected, 1e-3);
  EXPECT_GE(*s, 0.f);
  EXPECT_LE(*s, 100.f);
}

// The bar for live photos: none of the dev photos fails the default threshold
// (the pair alone scored alex_lacamoire/1 at 43).
TEST(BlendedLivenessTest, EveryLiveDevPhotoPassesTheDefaultThroughTheEngine) {
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  FP_REQUIRE_LIVENESS_MODELS();
  const Engine* e = testing::SharedEngine();
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->Models().liveness.has_value());
  EXPECT_EQ(e->Models().liveness->kind, "blend");
  auto photos = eval::ListFaces(testing::FacesDir());
  ASSERT_TRUE(photos.ok()) << photos.status().ToString();
  ASSERT_GE(photos->size(), 30u);
  for (const auto& photo : *photos) {
    auto a = e->Analyze(testing::Photo(photo.path), Purpose::kRecognise, {.embed = false, .liveness = true});
    ASSERT_TRUE(a.ok()) << photo.path;
    ASSERT_TRUE(a->best && a->best->liveness) << photo.path;
    EXPECT_GE(*a->best->liveness, spec::kDefaultLivenessThreshold) << photo.path;
  }
}

// A models folder fetched before fp_liveness.onnx existed keeps the pair; asking for the
// blend there is an error that names the missing file.
TEST(BlendedLivenessTest, EngineFallsBackToThePairWithoutFpLiveness) {
  FP_REQUIRE_MODELS();
  FP_REQUIRE_LIVENESS_MODELS();
  store::testing_util::TempDir tmp;
  for (const char* f : {"blazeface.onnx", "facemesh.onnx", "arcface.onnx", "mobilefacenet.onnx",
                        "arcface+mobilefacenet-w0.40.score.json", "antispoof.onnx", "liveness.onnx"})
    if (std::filesystem::exists(testing::ModelsDir() / f))
      std::filesystem::create_symlink(std::filesystem::absolute(testing::ModelsDir() / f), tmp.path() / f);
  EngineOptions o;
  o.models_dir = tmp.path();
  o.pool_size = 1;
  auto e = Engine::Create(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_TRUE((*e)->Models().liveness.has_value());
  EXPECT_EQ((*e)->Models().liveness->kind, "human");
  o.liveness_kind = "blend";
  auto strict = Engine::Create(o);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().ToString().find("fp_liveness.onnx"), std::string::npos) << strict.status().ToString();
}

}  // namespace
}  // namespace facepass::vision
