#include "spec/pass_rule.h"

#include <cmath>

#include <gtest/gtest.h>

namespace facepass::spec {
namespace {

TEST(PassRule, ScoreMustReachTheThreshold) {
  EXPECT_TRUE(PassesRecognition(true, 78.0, 78.0, std::nullopt, 50));
  EXPECT_FALSE(PassesRecognition(true, 77.99, 78.0, std::nullopt, 50));
}

TEST(PassRule, NoCandidateNeverPasses) { EXPECT_FALSE(PassesRecognition(false, 100, 78, std::nullopt, 50)); }

TEST(PassRule, MeasuredLivenessMustReachItsThreshold) {
  EXPECT_TRUE(PassesRecognition(true, 90, 78, 50.0, 50));
  EXPECT_FALSE(PassesRecognition(true, 90, 78, 49.9, 50));
  EXPECT_FALSE(PassesRecognition(true, 70, 78, 99.0, 50));  // liveness does not rescue the score
}

TEST(PassRule, LivenessNotMeasuredIsNotRequired) {
  // The server's rule: only a measured liveness (asked for) takes part.
  EXPECT_TRUE(PassesRecognition(true, 90, 78, std::nullopt, 99));
}

TEST(PassRule, NaNScoreDoesNotPass) { EXPECT_FALSE(PassesRecognition(true, std::nan(""), 78, std::nullopt, 50)); }

}  // namespace
}  // namespace facepass::spec
