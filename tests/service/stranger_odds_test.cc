// The stranger rule (issue 30): 1 - (1 - FAR(t))^N over the calibration's
// measured per-pair FAR, and the threshold that keeps it at 1 in 1,000.
#include "service/stranger_odds.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "vision/score.h"

namespace facepass::service {
namespace {

// Rows as the calibration rule lays them out: FAR = 10^-((s - 38) / 8) from
// score 40 down to 1e-6 at score 86, each behind FAR x 2e7 impostor pairs.
vision::CalibrationTables RuleTables() {
  vision::CalibrationTables t;
  t.impostor_pairs = 20'000'000;
  for (int s = 40; s <= 86; ++s) {
    const double far = std::pow(10.0, -(s - 38) / 8.0);
    t.far.push_back({double(s), far, std::llround(far * 2e7)});
  }
  for (int s = 1; s <= 100; ++s) t.genuine_refused.push_back({double(s), s < 50 ? 0.0 : (s - 50) / 50.0});
  return t;
}

double Rule(double t, int64_t n) { return 1 - std::pow(1 - std::pow(10.0, -(t - 38) / 8.0), double(n)); }

TEST(StrangerOdds, PairFarFollowsTheTableBetweenItsRows) {
  StrangerOdds odds(RuleTables());
  EXPECT_DOUBLE_EQ(*odds.PairFar(78), 1e-5);
  EXPECT_NEAR(*odds.PairFar(77.5), std::pow(10.0, -(77.5 - 38) / 8.0), 1e-12);  // log-linear
  EXPECT_EQ(*odds.PairFar(10), 1.0);  // below every row: the worst case
  EXPECT_FALSE(odds.PairFar(86.5));   // past the deepest row: not measured
}

TEST(StrangerOdds, PassRateGrowsWithTheGroupAsTheIssueSays) {
  StrangerOdds odds(RuleTables());
  EXPECT_NEAR(*odds.PassRate(78, 1).value, 1e-5, 1e-12);
  EXPECT_NEAR(*odds.PassRate(78, 300).value, 0.00299, 0.00001);  // 0.17-0.3 % measured with 300 enrolled
  EXPECT_NEAR(*odds.PassRate(78, 1000).value, 0.00995, 0.00001);  // "about 1 % at 1,000 faces"
  EXPECT_NEAR(*odds.PassRate(78, 10000).value, 0.0952, 0.0001);   // "about 9.5 % at 10,000"
  double last = 0;
  for (int64_t n : {1, 10, 100, 1000, 10000, 100000}) {
    const double r = *odds.PassRate(78, n).value;
    EXPECT_NEAR(r, Rule(78, n), 1e-9) << n;
    EXPECT_GT(r, last) << n;
    last = r;
  }
  EXPECT_EQ(*odds.PassRate(78, 0).value, 0.0);  // an empty group lets nobody in
}

TEST(StrangerOdds, PassRateAboveTheDeepestScoreIsNoneWithTheBound) {
  StrangerOdds odds(RuleTables());
  Odds o = odds.PassRate(90, 1000);
  EXPECT_FALSE(o.value);
  EXPECT_NE(o.reason.find("deepest score the calibration measured"), std::string::npos) << o.reason;
  EXPECT_NE(o.reason.find("at most 0.001"), std::string::npos) << o.reason;  // 1 - (1 - 1e-6)^1000
}

TEST(StrangerOdds, ThresholdForOneInAThousandRisesWithTheGroup) {
  StrangerOdds odds(RuleTables());
  EXPECT_NEAR(*odds.ThresholdFor(1e-3, 1).value, 62.0, 0.1);
  double last = 0;
  for (int64_t n : {1, 10, 100, 300, 500, 1000}) {
    Odds o = odds.ThresholdFor(StrangerOdds::kOneInThousand, n);
    ASSERT_TRUE(o.value) << n << ": " << o.reason;
    const double t = *o.value;
    EXPECT_EQ(std::round(t * 10), t * 10) << "0.1 steps";
    EXPECT_LE(*odds.PassRate(t, n).value, 1e-3 * (1 + 1e-9)) << n;  // rounded up: at most 1 in 1,000
    EXPECT_GT(*odds.PassRate(t - 0.1, n).value, 1e-3) << n;          // and the lowest such step
    EXPECT_GE(t, last) << n;
    last = t;
  }
  EXPECT_NEAR(*odds.ThresholdFor(1e-3, 300).value, 81.9, 1e-9);  // FAR 3.3e-6: 38 + 8 log10(3e5) = 81.8
}

TEST(StrangerOdds, ThresholdForBeyondTheMeasuredRangeIsNoneWithTheReason) {
  StrangerOdds odds(RuleTables());
  Odds o = odds.ThresholdFor(1e-3, 10000);
  EXPECT_FALSE(o.value);
  EXPECT_NE(o.reason.find("10000 faces need a per-pair FAR of 1e-07"), std::string::npos) << o.reason;
  EXPECT_NE(o.reason.find("score 86"), std::string::npos) << o.reason;
  Odds empty = odds.ThresholdFor(1e-3, 0);
  EXPECT_FALSE(empty.value);
  EXPECT_NE(empty.reason.find("empty"), std::string::npos);
}

TEST(StrangerOdds, WithoutTablesEveryFigureSaysWhy) {
  StrangerOdds odds{vision::CalibrationTables{}};
  for (const Odds& o : {odds.PassRate(78, 10), odds.ThresholdFor(1e-3, 10), odds.GenuineRefused(78)}) {
    EXPECT_FALSE(o.value);
    EXPECT_NE(o.reason.find("--write-calibration"), std::string::npos) << o.reason;
  }
}

TEST(StrangerOdds, GenuineRefusedIsLinearBetweenRows) {
  StrangerOdds odds(RuleTables());
  EXPECT_DOUBLE_EQ(*odds.GenuineRefused(40).value, 0.0);
  EXPECT_NEAR(*odds.GenuineRefused(75.5).value, 0.51, 1e-12);
  EXPECT_DOUBLE_EQ(*odds.GenuineRefused(100).value, 1.0);
}

// The calibration the default embedder ships with carries both tables, and the
// rule over it keeps what docs/models.md states.
TEST(StrangerOdds, TheShippedCalibrationCarriesTheTables) {
  const auto file = std::filesystem::path(FACEPASS_SOURCE_DIR) / "calibration/arcface+mobilefacenet-w0.40.score.json";
  auto map = vision::ScoreMap::FromFile(file);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  StrangerOdds odds(map->tables());
  ASSERT_GE(map->tables().far.size(), 80u);
  EXPECT_GE(map->tables().far.back().score, 86);  // down to FAR 1e-6 at least
  EXPECT_GE(map->tables().far.back().impostor_pairs, 10);
  EXPECT_NEAR(*odds.PairFar(70), 1e-4, 0.05e-4);  // the knots' rule, read back from the measured pairs
  EXPECT_NEAR(*odds.PairFar(78), 1e-5, 0.05e-5);
  EXPECT_TRUE(odds.ThresholdFor(1e-3, 1000).value);
  EXPECT_FALSE(odds.ThresholdFor(1e-3, 10000).value);
  const double refused70 = *odds.GenuineRefused(70).value;
  EXPECT_GT(refused70, 0.001);
  EXPECT_LT(refused70, 0.02);
  EXPECT_LT(refused70, *odds.GenuineRefused(78).value);
}

}  // namespace
}  // namespace facepass::service
