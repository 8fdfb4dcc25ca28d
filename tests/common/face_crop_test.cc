#include "common/face_crop.h"

#include <gtest/gtest.h>

namespace facepass {
namespace {

TEST(FaceCrop, WidensHalfAWidthEachSideThreeFifthsAboveTwoFifthsBelow) {
  EXPECT_EQ(FaceCropBox(200, 200, 300, 300, 1000, 1000), (std::array<int, 4>{150, 140, 350, 340}));
}

TEST(FaceCrop, OddSizesRoundToTheNearestPixel) {
  // 101 px: 3/5 above is 60.6 -> top 39.4 -> 39 (integer division gave 40), 2/5 below 40.4.
  EXPECT_EQ(FaceCropBox(100, 100, 201, 201, 1000, 1000), (std::array<int, 4>{50, 39, 252, 241}));
}

TEST(FaceCrop, ClippedToTheImage) {
  EXPECT_EQ(FaceCropBox(0, 10, 100, 110, 120, 130), (std::array<int, 4>{0, 0, 120, 130}));
}

}  // namespace
}  // namespace facepass
