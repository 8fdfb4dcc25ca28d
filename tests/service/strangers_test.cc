// The Strangers service (issue 30): the rule applied to the groups as they are
// and to the recognise threshold in force.
#include "service/strangers.h"

#include <cmath>
#include <limits>

#include "service/service_fixture.h"

namespace facepass::service::testing {
namespace {

vision::CalibrationTables Tables() {
  vision::CalibrationTables t;
  for (int s = 40; s <= 86; ++s) t.far.push_back({double(s), std::pow(10.0, -(s - 38) / 8.0), 100});
  t.genuine_refused = {{70, 0.01}, {78, 0.03}};
  t.far_source = "rule";
  return t;
}

class StrangersTest : public ServiceFixture {
 protected:
  Strangers strangers() { return Strangers(*catalog_, *thresholds_, StrangerOdds(Tables())); }
};

TEST_F(StrangersTest, ForGroupUsesTheRecogniseThresholdInForce) {
  Strangers s = strangers();
  GroupOdds at78 = s.ForGroup(1000);
  EXPECT_EQ(at78.face_count, 1000);
  EXPECT_NEAR(*at78.stranger_pass_rate.value, 0.00995, 1e-5);
  ASSERT_TRUE(at78.threshold_for_1_in_1000.value);
  ASSERT_TRUE(config_->Update({{"recognize_threshold", "70"}}).ok());
  GroupOdds at70 = s.ForGroup(1000);
  EXPECT_NEAR(*at70.stranger_pass_rate.value, 1 - std::pow(1 - 1e-4, 1000), 1e-9);
  EXPECT_EQ(*at70.threshold_for_1_in_1000.value, *at78.threshold_for_1_in_1000.value);  // a property of N
}

TEST_F(StrangersTest, PreviewListsEveryGroupWithItsFaces) {
  MakeGroup("small", {Enrol("ann")});
  MakeGroup("pair", {Enrol("bob"), Enrol("cid")});
  MakeGroup("empty");
  auto p = strangers().Preview(74.0);
  ASSERT_TRUE(p.ok()) << MessageOf(p);
  EXPECT_EQ(p->threshold, 74);
  EXPECT_NEAR(*p->genuine_refused.value, 0.02, 1e-12);
  EXPECT_EQ(p->far_source, "rule");
  ASSERT_EQ(p->groups.size(), 3u);
  EXPECT_EQ(p->groups[0].group_name, "empty");
  EXPECT_EQ(p->groups[0].odds.face_count, 0);
  EXPECT_EQ(*p->groups[0].odds.stranger_pass_rate.value, 0.0);
  EXPECT_EQ(p->groups[1].group_name, "pair");
  EXPECT_EQ(p->groups[1].odds.face_count, 2);
  EXPECT_NEAR(*p->groups[1].odds.stranger_pass_rate.value, 1 - std::pow(1 - std::pow(10.0, -4.5), 2), 1e-12);
  EXPECT_EQ(p->groups[2].odds.face_count, 1);
}

TEST_F(StrangersTest, PreviewWithoutAThresholdUsesTheOneInForce) {
  auto p = strangers().Preview(std::nullopt);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->threshold, ThresholdValues::kDefaultRecognize);
}

TEST_F(StrangersTest, PreviewRefusesAThresholdOutsideTheRange) {
  for (double t : {0.0, 100.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()})
    EXPECT_EQ(CodeOf(strangers().Preview(t)), ErrorCode::kIllegalArgument) << t;
}

}  // namespace
}  // namespace facepass::service::testing
