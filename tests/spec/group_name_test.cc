#include "spec/group_name.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace facepass::spec {
namespace {

TEST(GroupName, FourToSixteenLettersDigitsUnderscore) {
  EXPECT_TRUE(IsValidGroupName("abcd"));
  EXPECT_TRUE(IsValidGroupName("A_b_9_0123456789"));  // 16
  EXPECT_TRUE(IsValidGroupName("____"));
  EXPECT_TRUE(IsValidGroupName("2024"));
}

TEST(GroupName, LengthOutsideFourToSixteen) {
  EXPECT_FALSE(IsValidGroupName(""));
  EXPECT_FALSE(IsValidGroupName("abc"));
  EXPECT_FALSE(IsValidGroupName("abcdefghijklmnopq"));  // 17
}

TEST(GroupName, OtherCharactersRejected) {
  for (const char* bad : {"ab-cd", "ab cd", "abc.d", "abcd\n", "gr\xc3\xbcn1", "abc/d"}) {
    EXPECT_FALSE(IsValidGroupName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidGroupName(std::string("abc\0d", 5)));
  // Bytes >= 0x80 are not letters whatever the locale says.
  EXPECT_FALSE(IsValidGroupName("abc\xe9"));
}

// The list the console's copy of the rule is checked against too
// (tests/console/group_names_check.mjs): both must agree on every name.
TEST(GroupName, TheListSharedWithTheConsole) {
  std::ifstream in(FP_GROUP_NAMES_FILE);
  ASSERT_TRUE(in) << FP_GROUP_NAMES_FILE;
  const nlohmann::json list = nlohmann::json::parse(in);
  ASSERT_FALSE(list.at("accept").empty());
  ASSERT_FALSE(list.at("refuse").empty());
  for (const std::string& name : list.at("accept")) EXPECT_TRUE(IsValidGroupName(name)) << name;
  for (const std::string& name : list.at("refuse")) EXPECT_FALSE(IsValidGroupName(name)) << name;
}

}  // namespace
}  // namespace facepass::spec
