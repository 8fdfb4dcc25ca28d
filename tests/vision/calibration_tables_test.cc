// The measured tables of a calibration file (issue 30): read when present,
// absent from older files, refused when out of order.
#include "vision/calibration_tables.h"

#include <gtest/gtest.h>

#include "vision/score.h"

namespace facepass::vision {
namespace {

using nlohmann::json;

json File(json far_rows, json refused_rows) {
  return {{"knots", {{-1.0, 0.01}, {1.0, 100.0}}},
          {"far_by_score", {{"source", "test pairs"}, {"impostor_pairs", 1000}, {"rows", far_rows}}},
          {"genuine_refused_by_score", {{"source", "test genuine"}, {"genuine_pairs", 50}, {"rows", refused_rows}}}};
}

TEST(CalibrationTables, ReadWithTheKnots) {
  auto map = ScoreMap::FromJson(File({{60, 0.01, 10}, {70, 0.001, 1}}, {{60, 0.02}, {70, 0.1}}));
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  const CalibrationTables& t = map->tables();
  ASSERT_EQ(t.far.size(), 2u);
  EXPECT_EQ(t.far[1].score, 70);
  EXPECT_DOUBLE_EQ(t.far[1].far, 0.001);
  EXPECT_EQ(t.far[0].impostor_pairs, 10);
  EXPECT_EQ(t.impostor_pairs, 1000);
  EXPECT_EQ(t.genuine_pairs, 50);
  EXPECT_EQ(t.far_source, "test pairs");
  ASSERT_EQ(t.genuine_refused.size(), 2u);
  EXPECT_DOUBLE_EQ(t.genuine_refused[1].refused, 0.1);
}

TEST(CalibrationTables, AFileWithoutThemHasEmptyTables) {
  auto map = ScoreMap::FromJson({{"knots", {{-1.0, 0.01}, {1.0, 100.0}}}});
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->tables().far.empty());
  EXPECT_TRUE(map->tables().genuine_refused.empty());
}

TEST(CalibrationTables, RefusesRowsOutOfOrderOrRange) {
  EXPECT_FALSE(ScoreMap::FromJson(File({{70, 0.001, 1}, {60, 0.01, 10}}, json::array())).ok());  // score order
  EXPECT_FALSE(ScoreMap::FromJson(File({{60, 0.001, 1}, {70, 0.01, 10}}, json::array())).ok());  // FAR rises
  EXPECT_FALSE(ScoreMap::FromJson(File({{60, 1.5, 1}}, json::array())).ok());                    // not a share
  EXPECT_FALSE(ScoreMap::FromJson(File(json::array(), {{60, 0.2}, {70, 0.1}})).ok());            // refusals fall
  EXPECT_FALSE(ScoreMap::FromJson(File({{60, 0.01}}, json::array())).ok());                      // no pair count
  EXPECT_FALSE(ScoreMap::FromJson(File({{60, "x", 1}}, json::array())).ok());
}

}  // namespace
}  // namespace facepass::vision
