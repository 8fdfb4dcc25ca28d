// Engine::Analyze times each stage into the registry it was given: one
// observation per stage that ran, none for a stage that did not.
#include <gtest/gtest.h>

#include "vision/engine.h"
#include "vision/stage_metrics.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

using testing::Photo;

TEST(StageMetrics, EachStageThatRunsIsObservedOnce) {
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  metrics::Registry registry;
  EngineOptions o;
  o.models_dir = testing::ModelsDir();
  o.pool_size = 1;
  o.metrics = &registry;
  auto engine = Engine::Create(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto& f = registry.AddHistogram("facepass_vision_stage_duration_seconds", "", {"stage"}, metrics::LatencyBuckets());
  auto count = [&](const char* stage) { return f.With({stage}).Read().cumulative.back(); };

  auto a = (*engine)->Analyze(Photo("obama/1.jpg"), Purpose::kCompare, {.embed = true, .liveness = true});
  ASSERT_TRUE(a.ok() && a->best) << a.status().ToString();
  for (const char* stage : {"decode", "detect", "landmarks", "embed", "liveness"}) {
    SCOPED_TRACE(stage);
    EXPECT_EQ(count(stage), 1u);
    EXPECT_GT(f.With({stage}).Read().sum, 0);
  }
  // Not an image: refused by the header check, nothing decoded or run.
  ASSERT_TRUE((*engine)->Analyze("not an image", Purpose::kRecognise, {}).ok());
  EXPECT_EQ(count("decode"), 1u);
  EXPECT_EQ(count("detect"), 1u);
  // Pixels: no decode; no embed or liveness when not asked for.
  auto px = DecodeUpright(Photo("obama/2.jpg"));
  ASSERT_TRUE(px.ok());
  ASSERT_TRUE((*engine)->AnalyzePixels(*px, Purpose::kRecognise, {.embed = false, .liveness = false}).ok());
  EXPECT_EQ(count("decode"), 1u);
  EXPECT_EQ(count("detect"), 2u);
  EXPECT_EQ(count("embed"), 1u);
  EXPECT_EQ(count("liveness"), 1u);
}

TEST(StageMetrics, TimedPassesTheResultThrough) {
  metrics::Registry registry;
  StageMetrics m(&registry);
  EXPECT_EQ(Timed(m.detect, [] { return 7; }), 7);
  EXPECT_EQ(m.detect->Read().cumulative.back(), 1u);
  EXPECT_EQ(Timed(StageMetrics(nullptr).detect, [] { return 8; }), 8);
}

}  // namespace
}  // namespace facepass::vision
