// Score-level fusion: the fused feature is a unit vector whose inner products are the
// weighted sum of the two embedders' cosines, and the default engine fuses arcface with
// MobileFaceNet (docs/models.md, "Fusion").
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <thread>

#include "store/temp_dir.h"
#include "vision/engine.h"
#include "vision/fused_embedder.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

double Dot(std::span<const float> a, std::span<const float> b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += double(a[i]) * b[i];
  return d;
}

std::vector<float> RandomUnit(std::mt19937* rng, int dim) {
  std::normal_distribution<float> n;
  std::vector<float> v(dim);
  for (float& x : v) x = n(*rng);
  const double len = std::sqrt(Dot(v, v));
  for (float& x : v) x = float(x / len);
  return v;
}

TEST(FuseFeatures, InnerProductIsTheWeightedSumOfCosines) {
  std::mt19937 rng(7);
  for (float w : {0.1f, 0.4f, 0.5f, 0.9f}) {
    auto a1 = RandomUnit(&rng, 512), a2 = RandomUnit(&rng, 192);
    auto b1 = RandomUnit(&rng, 512), b2 = RandomUnit(&rng, 192);
    auto fa = FuseFeatures(a1, a2, w), fb = FuseFeatures(b1, b2, w);
    ASSERT_EQ(fa.size(), 704u);
    EXPECT_NEAR(Dot(fa, fa), 1.0, 1e-5) << w;
    EXPECT_NEAR(Dot(fa, fb), w * Dot(a1, b1) + (1 - w) * Dot(a2, b2), 1e-5) << w;
  }
}

std::unique_ptr<Engine> MakeEngine(const std::string& fusion, float weight = FusionConfig{}.weight) {
  EngineOptions o;
  o.models_dir = testing::ModelsDir();
  o.pool_size = 1;
  o.fusion.mode = fusion;
  o.fusion.weight = weight;
  auto e = Engine::Create(o);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e.value()) : nullptr;
}

std::vector<float> FeatureOf(const Engine& e, const std::string& photo) {
  auto a = e.Analyze(testing::Photo(photo), Purpose::kRecognise, {});
  EXPECT_TRUE(a.ok() && a->best) << photo;
  return a.ok() && a->best ? a->best->feature : std::vector<float>{};
}

class FusedEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FP_REQUIRE_FACES();
    FP_REQUIRE_MODELS();
    if (!std::filesystem::exists(testing::ModelsDir() / "mobilefacenet.onnx"))
      GTEST_SKIP() << "no mobilefacenet.onnx: run scripts/fetch-models.sh";
  }
};

TEST_F(FusedEngineTest, DefaultFusesArcfaceWithMobileFaceNetAndIsCalibrated) {
  auto fused = MakeEngine("");
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->feature_dim(), 512 + 192);
  const ModelDetails d = fused->Models();
  ASSERT_TRUE(d.fused_with.has_value());
  EXPECT_EQ(d.embedder.file, "arcface.onnx");
  EXPECT_EQ(d.fused_with->file, "mobilefacenet.onnx");
  EXPECT_FLOAT_EQ(d.fusion_weight, FusionConfig{}.weight);
  EXPECT_NE(d.score.calibration.find("lfw-dev"), std::string::npos) << d.score.calibration;
  EXPECT_NE(fused->search_model().find("+arcface-192-"), std::string::npos) << fused->search_model();
}

TEST_F(FusedEngineTest, FusedCosineIsTheWeightedSumOfTheTwoEmbeddersAlone) {
  auto fused = MakeEngine("on", 0.4f), arc = MakeEngine("off");
  ASSERT_NE(fused, nullptr);
  ASSERT_NE(arc, nullptr);
  EngineOptions mo;
  mo.models_dir = testing::ModelsDir();
  mo.pool_size = 1;
  mo.embedder.file = testing::ModelsDir() / "mobilefacenet.onnx";  // an explicit file: not fused
  auto mfn = Engine::Create(mo);
  ASSERT_TRUE(mfn.ok()) << mfn.status().ToString();
  EXPECT_EQ((*mfn)->feature_dim(), 192);
  EXPECT_EQ(arc->feature_dim(), 512);
  EXPECT_NE(arc->search_model(), fused->search_model());
  auto half = MakeEngine("on", 0.5f);
  ASSERT_NE(half, nullptr) << "a weight nobody calibrated still starts";
  EXPECT_NE(half->search_model(), fused->search_model()) << "the weight is part of it";
  EXPECT_EQ(half->Models().score.calibration.find("lfw-dev"), std::string::npos)
      << "the shipped calibration holds for its weight only: " << half->Models().score.calibration;

  const auto f1 = FeatureOf(*fused, "obama/1.jpg"), f4 = FeatureOf(*fused, "obama/4.jpg");
  const auto a1 = FeatureOf(*arc, "obama/1.jpg"), a4 = FeatureOf(*arc, "obama/4.jpg");
  const auto m1 = FeatureOf(**mfn, "obama/1.jpg"), m4 = FeatureOf(**mfn, "obama/4.jpg");
  ASSERT_EQ(f1.size(), 704u);
  EXPECT_NEAR(Dot(f1, f4), 0.4 * Dot(a1, a4) + 0.6 * Dot(m1, m4), 1e-4);
  EXPECT_NEAR(fused->Score(f1, f4), fused->ScoreFromSimilarity(float(Dot(f1, f4))), 1e-3);
}

// The default runs the second embedder and liveness on threads of their own; feature and
// liveness are the same as one after the other, also with many requests at once.
TEST_F(FusedEngineTest, ParallelStagesGiveTheSameResultsAsSequential) {
  EngineOptions o;
  o.models_dir = testing::ModelsDir();
  o.pool_size = 2;
  ASSERT_TRUE(o.parallel_stages) << "the default";
  auto parallel = Engine::Create(o);
  o.parallel_stages = false;
  auto sequential = Engine::Create(o);
  ASSERT_TRUE(parallel.ok() && sequential.ok());
  EXPECT_EQ((*parallel)->search_model(), (*sequential)->search_model());
  using Result = std::pair<std::vector<float>, float>;
  auto analyse = [](const Engine& e, const std::string& photo) {
    auto a = e.Analyze(testing::Photo(photo), Purpose::kRecognise, {.embed = true, .liveness = true});
    EXPECT_TRUE(a.ok() && a->best && a->best->liveness) << photo;
    return a.ok() && a->best && a->best->liveness ? Result{a->best->feature, *a->best->liveness} : Result{};
  };
  const std::vector<std::string> photos = {"obama/1.jpg", "obama/4.jpg", "alex_lacamoire/2.jpg"};
  std::vector<Result> expected;
  for (const auto& p : photos) expected.push_back(analyse(**sequential, p));
  ASSERT_EQ(expected[0].first.size(), 704u);
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < photos.size(); ++i) same[t] += analyse(**parallel, photos[i]) == expected[i];
    });
  for (auto& th : threads) th.join();
  for (int n : same) EXPECT_EQ(n, int(photos.size()));
}

TEST_F(FusedEngineTest, BadFusionSettingsAreRefused) {
  EngineOptions o;
  o.models_dir = testing::ModelsDir();
  o.pool_size = 1;
  o.fusion.mode = "maybe";
  EXPECT_FALSE(Engine::Create(o).ok());
  o.fusion.mode = "on";
  o.fusion.weight = 1.5f;
  EXPECT_FALSE(Engine::Create(o).ok());
  o.fusion.weight = 0.4f;
  o.fusion.second.file = testing::ModelsDir() / "no-such-model.onnx";
  EXPECT_FALSE(Engine::Create(o).ok());
}

TEST_F(FusedEngineTest, AModelsDirWithoutTheSecondModelSaysWhatToDo) {
  // A models directory fetched before fusion: every model but mobilefacenet.onnx.
  const store::testing_util::TempDir tmp;
  const std::filesystem::path& dir = tmp.path();
  for (const auto& e : std::filesystem::directory_iterator(testing::ModelsDir()))
    if (e.path().filename() != "mobilefacenet.onnx") std::filesystem::create_symlink(e.path(), dir / e.path().filename());
  EngineOptions o;
  o.models_dir = dir;
  o.pool_size = 1;
  auto fused = Engine::Create(o);
  ASSERT_FALSE(fused.ok());
  EXPECT_NE(fused.status().ToString().find("--fusion off"), std::string::npos) << fused.status().ToString();
  EXPECT_NE(fused.status().ToString().find("fetch-models.sh"), std::string::npos) << fused.status().ToString();
  o.fusion.mode = "off";
  auto alone = Engine::Create(o);
  EXPECT_TRUE(alone.ok()) << alone.status().ToString();
}

}  // namespace
}  // namespace facepass::vision
