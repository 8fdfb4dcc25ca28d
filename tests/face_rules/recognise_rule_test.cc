#include "face_rules/recognise_rule.h"

#include <gtest/gtest.h>

namespace facepass::face_rules {
namespace {

vision::Analysis WithFace(std::optional<float> liveness = std::nullopt) {
  vision::Analysis a;
  a.best.emplace();
  a.best->feature = {1.0f};
  a.best->liveness = liveness;
  return a;
}

constexpr RecogniseThresholds kTh{.recognize = 80, .liveness = 50};

TEST(RecogniseRule, ImageErrors) {
  vision::Analysis a = WithFace();
  EXPECT_EQ(RecogniseImageError(a), std::nullopt);
  a.verdict = vision::ImageVerdict::kBadResolution;
  EXPECT_EQ(RecogniseImageError(a), errors::InvalidImageResolution());
  EXPECT_EQ(RecogniseImageError(vision::Analysis{}), errors::FaceNotFound());
  vision::Analysis no_feature = WithFace();
  no_feature.best->feature.clear();
  EXPECT_EQ(RecogniseImageError(no_feature), errors::FaceNotFound());
}

TEST(RecogniseRule, ACandidateAtTheThresholdPasses) {
  const vision::Analysis a = WithFace();
  RecogniseMatch m = JudgeMatch(80.0, *a.best, false, kTh);
  EXPECT_EQ(m.score, 80.0);
  EXPECT_TRUE(m.passed);
  EXPECT_FALSE(JudgeMatch(79.9, *a.best, false, kTh).passed);
}

TEST(RecogniseRule, NoCandidateScoresZeroAndFails) {
  const vision::Analysis a = WithFace();
  RecogniseMatch m = JudgeMatch(std::nullopt, *a.best, false, {.recognize = 0, .liveness = 0});
  EXPECT_EQ(m.score, 0.0);
  EXPECT_FALSE(m.passed);
}

TEST(RecogniseRule, LivenessCountsOnlyWhenAsked) {
  const vision::Analysis spoof = WithFace(10.0f);
  EXPECT_TRUE(JudgeMatch(95.0, *spoof.best, false, kTh).passed);
  EXPECT_EQ(JudgeMatch(95.0, *spoof.best, false, kTh).liveness, std::nullopt);
  RecogniseMatch asked = JudgeMatch(95.0, *spoof.best, true, kTh);
  EXPECT_FALSE(asked.passed);
  EXPECT_EQ(asked.liveness, 10.0);
  const vision::Analysis live = WithFace(60.0f);
  EXPECT_TRUE(JudgeMatch(95.0, *live.best, true, kTh).passed);
}

}  // namespace
}  // namespace facepass::face_rules
