// Thresholds through Config: the defaults, validation that names every bad
// key and changes nothing, resets, ignored fields, persistence, Version().
#include "service/config.h"

#include <gtest/gtest.h>

#include "service/service_fixture.h"

namespace facepass::service::testing {
namespace {

using ConfigTest = ServiceFixture;
using Fields = std::vector<std::pair<std::string, std::string>>;

TEST_F(ConfigTest, DefaultsAreTheSpecs) {
  ThresholdValues v = config_->Get();
  EXPECT_EQ(v.recognize, 78);
  EXPECT_EQ(v.compare, 70);
  EXPECT_EQ(v.liveness, 50);
}

TEST_F(ConfigTest, UpdateAppliesAndPersists) {
  auto r = config_->Update({{"recognize_threshold", "80.5"}, {"compare_threshold", "65"}});
  ASSERT_TRUE(r.ok()) << MessageOf(r);
  EXPECT_EQ(r->recognize, 80.5);
  EXPECT_EQ(r->compare, 65);
  EXPECT_EQ(r->liveness, 50);
  // A restart reads them back from the database.
  auto reloaded = Thresholds::Load(store().config());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ((*reloaded)->Get().recognize, 80.5);
  EXPECT_EQ((*reloaded)->Get().compare, 65);
}

TEST_F(ConfigTest, MinusOneResetsToTheDefault) {
  ASSERT_TRUE(config_->Update({{"liveness_threshold", "90"}}).ok());
  EXPECT_EQ(config_->Get().liveness, 90);
  auto r = config_->Update({{"liveness_threshold", "-1"}});
  ASSERT_TRUE(r.ok()) << MessageOf(r);
  EXPECT_EQ(r->liveness, 50);
  ASSERT_TRUE(config_->Update({{"liveness_threshold", "-1.0"}}).ok());
  EXPECT_EQ(config_->Get().liveness, 50);
}

TEST_F(ConfigTest, BadValuesAreRefusedByNameAndNothingChanges) {
  ASSERT_TRUE(config_->Update({{"compare_threshold", "60"}}).ok());
  for (const char* bad : {"0", "100", "-2", "abc", "nan", "inf", "50x"}) {
    SCOPED_TRACE(bad);
    auto r = config_->Update({{"recognize_threshold", "79"}, {"compare_threshold", bad}});
    EXPECT_EQ(CodeOf(r), ErrorCode::kIllegalArgument);
    EXPECT_NE(MessageOf(r).find("compare_threshold"), std::string::npos) << MessageOf(r);
    EXPECT_EQ(MessageOf(r).find("recognize_threshold"), std::string::npos) << MessageOf(r);
    EXPECT_EQ(config_->Get().recognize, 78) << "the good key of a refused update is not applied";
    EXPECT_EQ(config_->Get().compare, 60);
  }
  auto both = config_->Update({{"recognize_threshold", "x"}, {"liveness_threshold", "101"}});
  EXPECT_NE(MessageOf(both).find("recognize_threshold"), std::string::npos) << MessageOf(both);
  EXPECT_NE(MessageOf(both).find("liveness_threshold"), std::string::npos) << MessageOf(both);
}

TEST_F(ConfigTest, UnknownEmptyAndRepeatedKeysAreIgnored) {
  auto r = config_->Update({{"unknown_key", "5"}, {"compare_threshold", ""}, {"recognize_threshold", "81"},
                            {"recognize_threshold", "82"}});
  ASSERT_TRUE(r.ok()) << MessageOf(r);
  EXPECT_EQ(r->compare, 70);
  EXPECT_EQ(r->recognize, 81) << "the first of a repeated key counts";
}

TEST_F(ConfigTest, VersionNamesTheAnalyzersModel) {
  VersionInfo v = config_->Version();
  EXPECT_EQ(v.version.rfind("v", 0), 0u) << v.version;
  EXPECT_EQ(v.search_model, analyzer_.search_model());
  EXPECT_EQ(v.feature_dim, analyzer_.feature_dim());
}

}  // namespace
}  // namespace facepass::service::testing
