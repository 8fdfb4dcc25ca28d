#include "service/arg_errors.h"

#include <gtest/gtest.h>

#include "service/faces.h"

namespace facepass::service {
namespace {

TEST(ServiceParams, BoolsAndNumbers) {
  EXPECT_EQ(ParseBool("TRUE"), true);
  EXPECT_EQ(ParseBool("0"), false);
  EXPECT_EQ(ParseBool("False"), false);
  EXPECT_FALSE(ParseBool("yes").has_value());
  EXPECT_FALSE(ParseBool("").has_value());
  EXPECT_EQ(ParseNumber("-1"), -1.0);
  EXPECT_EQ(ParseNumber("-1.0"), -1.0);
  EXPECT_EQ(ParseNumber("78.5"), 78.5);
  EXPECT_EQ(ParseNumber("+5"), 5.0);
  EXPECT_FALSE(ParseNumber("78abc").has_value());
  EXPECT_FALSE(ParseNumber("nan").has_value());
  EXPECT_FALSE(ParseNumber("inf").has_value());
  EXPECT_FALSE(ParseNumber(" 5").has_value());
  EXPECT_FALSE(ParseNumber("").has_value());
}

TEST(ServiceParams, ErrorsListEveryNameMissingFirst) {
  ArgErrors check;
  check.Illegal("face_token");
  check.Missing("group_name");
  check.Missing("image");
  ASSERT_TRUE(check.Error().has_value());
  EXPECT_EQ(check.Error()->message, "MISSING_ARGUMENT: group_name,image");
  ArgErrors illegal;
  EXPECT_FALSE(illegal.Error().has_value());
  illegal.Illegal("group_name");
  illegal.Illegal("face_token");
  EXPECT_EQ(illegal.Error()->message, "ILLEGAL_ARGUMENT: group_name,face_token");
  EXPECT_EQ(illegal.Error()->code, ErrorCode::kIllegalArgument);
}

TEST(ServiceCrop, SpecGeometryClippedToTheImage) {
  // 100x100 face at (200,200): 2x width centred, 2x height with 60 above and 40 below.
  store::Rect c = CropAround({200, 200, 300, 300}, 1000, 1000);
  EXPECT_EQ(c.left, 150);
  EXPECT_EQ(c.right, 350);
  EXPECT_EQ(c.top, 140);
  EXPECT_EQ(c.bottom, 340);
  store::Rect clipped = CropAround({0, 10, 100, 110}, 120, 130);
  EXPECT_EQ(clipped.left, 0);
  EXPECT_EQ(clipped.top, 0);
  EXPECT_EQ(clipped.right, 120);
  EXPECT_EQ(clipped.bottom, 130);
}

}  // namespace
}  // namespace facepass::service
