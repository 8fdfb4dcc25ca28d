#include "spec/face_crop.h"

#include <gtest/gtest.h>

namespace facepass::spec {
namespace {

TEST(FaceCrop, WidensHalfAWidthEachSideThreeFifthsAboveTwoFifthsBelow) {
  EXPECT_EQ(FaceCropBox({200, 200, 300, 300}, 1000, 1000), (Box{150, 140, 350, 340}));
}

TEST(FaceCrop, OddHeightRoundsToTheNearestPixel) {
  // 101 px: 3/5 above is 60.6 -> top 39.4 -> 39 (integer division gave 40), 2/5 below 40.4.
  EXPECT_EQ(FaceCropBox({100, 100, 201, 201}, 1000, 1000), (Box{50, 39, 252, 241}));
  // 103 px: 61.8 above -> 38.2 -> 38 (integer division: 39); 41.2 below -> 244.2 -> 244.
  EXPECT_EQ(FaceCropBox({100, 100, 201, 203}, 1000, 1000), (Box{50, 38, 252, 244}));
}

TEST(FaceCrop, HalvesRoundAwayFromZero) {
  // Width 5: 2.5 each side, lround takes 7.5 -> 8 and 17.5 -> 18.
  EXPECT_EQ(FaceCropBox({10, 100, 15, 105}, 1000, 1000), (Box{8, 97, 18, 107}));
}

TEST(FaceCrop, ClippedToTheImage) {
  EXPECT_EQ(FaceCropBox({0, 10, 100, 110}, 120, 130), (Box{0, 0, 120, 130}));
}

}  // namespace
}  // namespace facepass::spec
