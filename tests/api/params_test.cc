#include "api/params.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace facepass::api {
namespace {

using nlohmann::json;

TEST(DecimalInt64, TheWholeStringOnly) {
  EXPECT_EQ(DecimalInt64("0"), 0);
  EXPECT_EQ(DecimalInt64("500"), 500);
  EXPECT_EQ(DecimalInt64("-3"), -3);
  EXPECT_EQ(DecimalInt64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "12x", " 1", "1.5", "+1", "9223372036854775808", "abc"})
    EXPECT_FALSE(DecimalInt64(bad).has_value()) << bad;
}

TEST(JsonInt64, KeepsEveryInt64) {
  EXPECT_EQ(JsonInt64(json::parse("0")), 0);
  EXPECT_EQ(JsonInt64(json::parse("-1")), -1);
  EXPECT_EQ(JsonInt64(json::parse("9223372036854775807")), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(JsonInt64(json::parse("-9223372036854775808")), std::numeric_limits<int64_t>::min());
}

// Issue 13, finding 5: 2^63 was read as unsigned and wrapped to INT64_MIN.
TEST(JsonInt64, RefusesIntegersPastTheRange) {
  EXPECT_FALSE(JsonInt64(json::parse("9223372036854775808")).has_value());
  EXPECT_FALSE(JsonInt64(json::parse("18446744073709551615")).has_value());
  // Past uint64 nlohmann reads a float: not an integer either.
  EXPECT_FALSE(JsonInt64(json::parse("18446744073709551616")).has_value());
}

TEST(JsonInt64, RefusesOtherTypes) {
  EXPECT_FALSE(JsonInt64(json::parse("1.5")).has_value());
  EXPECT_FALSE(JsonInt64(json::parse("\"7\"")).has_value());
  EXPECT_FALSE(JsonInt64(json::parse("true")).has_value());
  EXPECT_FALSE(JsonInt64(json::parse("null")).has_value());
  EXPECT_FALSE(JsonInt64(json::parse("[1]")).has_value());
}

}  // namespace
}  // namespace facepass::api
