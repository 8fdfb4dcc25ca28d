#include "vision/face_choice.h"

#include <gtest/gtest.h>

namespace facepass::vision {
namespace {

DetectedFace Box(int l, int t, int side) { return DetectedFace{Rect{l, t, l + side, t + side}, 0.9f, {}}; }

TEST(ChooseLargestFace, ClearlyLargerWinsWherever) {
  // 120 px in a corner against 100 px in the centre: 44 % more area.
  EXPECT_EQ(ChooseLargestFace({Box(400, 300, 100), Box(0, 0, 120)}, 900, 700), 1u);
}

TEST(ChooseLargestFace, NearlyEqualGoesToTheCentre) {
  // 104 px at the border, 100 px in the middle: within the margin.
  EXPECT_EQ(ChooseLargestFace({Box(0, 0, 104), Box(400, 300, 100)}, 900, 700), 1u);
}

TEST(ChooseLargestFace, ExactTieKeepsTheFirstDetected) {
  // Same size, same distance from the centre (mirror images).
  EXPECT_EQ(ChooseLargestFace({Box(100, 300, 100), Box(700, 300, 100)}, 900, 700), 0u);
}

TEST(ChooseLargestFace, OneFace) { EXPECT_EQ(ChooseLargestFace({Box(5, 5, 50)}, 100, 100), 0u); }

}  // namespace
}  // namespace facepass::vision
