// sync/half.h: binary16 conversions, the rounding rule included.
#include "sync/half.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace facepass::sync {
namespace {

bool IsNanHalf(uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

TEST(Half, KnownValues) {
  EXPECT_EQ(HalfFromFloat(0.0f), 0x0000);
  EXPECT_EQ(HalfFromFloat(-0.0f), 0x8000);
  EXPECT_EQ(HalfFromFloat(1.0f), 0x3C00);
  EXPECT_EQ(HalfFromFloat(-2.0f), 0xC000);
  EXPECT_EQ(HalfFromFloat(0.5f), 0x3800);
  EXPECT_EQ(HalfFromFloat(65504.0f), 0x7BFF);             // the largest half
  EXPECT_EQ(HalfFromFloat(0x1p-14f), 0x0400);             // the smallest normal
  EXPECT_EQ(HalfFromFloat(0x1p-24f), 0x0001);             // the smallest subnormal
  EXPECT_EQ(HalfFromFloat(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(HalfFromFloat(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_TRUE(IsNanHalf(HalfFromFloat(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(FloatFromHalf(0x3555), 0x1.554p-2f);          // 0.333251953125
  EXPECT_TRUE(std::isnan(FloatFromHalf(0x7E00)));
}

TEST(Half, RoundsToNearestTiesToEven) {
  // 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10 (odd): down.
  EXPECT_EQ(HalfFromFloat(1.0f + 0x1p-11f), 0x3C00);
  // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): up.
  EXPECT_EQ(HalfFromFloat(1.0f + 3 * 0x1p-11f), 0x3C02);
  // Just above halfway rounds up.
  EXPECT_EQ(HalfFromFloat(1.0f + 0x1p-11f + 0x1p-20f), 0x3C01);
  // Overflow: halfway between 65504 and 65536 (even: infinity) goes to infinity, below it stays.
  EXPECT_EQ(HalfFromFloat(65520.0f), 0x7C00);
  EXPECT_EQ(HalfFromFloat(65519.99f), 0x7BFF);
  // Subnormals: 2^-25 is halfway between 0 (even) and 2^-24: down; 3·2^-25: up to 2·2^-24.
  EXPECT_EQ(HalfFromFloat(0x1p-25f), 0x0000);
  EXPECT_EQ(HalfFromFloat(3 * 0x1p-25f), 0x0002);
  EXPECT_EQ(HalfFromFloat(-3 * 0x1p-25f), 0x8002);
  // The largest subnormal rounding up into the smallest normal.
  EXPECT_EQ(HalfFromFloat(0x1p-14f - 0x1p-26f), 0x0400);
}

TEST(Half, EveryHalfWidensExactlyAndNarrowsBack) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float f = FloatFromHalf(static_cast<uint16_t>(h));
    if (IsNanHalf(static_cast<uint16_t>(h))) {
      EXPECT_TRUE(std::isnan(f)) << h;
      EXPECT_TRUE(IsNanHalf(HalfFromFloat(f))) << h;
      continue;
    }
    EXPECT_EQ(HalfFromFloat(f), h) << std::hex << h;
  }
}

// For random floats within the half range: the answer is a nearest half, and
// an even one on a tie.
TEST(Half, RandomFloatsRoundToANearestHalf) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<uint32_t> bits(0, 0x477FEFFFu);  // |f| below 65520
  for (int i = 0; i < 200000; ++i) {
    const uint32_t u = bits(rng) | (i % 2 ? 0x80000000u : 0u);
    const float f = std::bit_cast<float>(u);
    const uint16_t h = HalfFromFloat(f);
    const double got = FloatFromHalf(h);
    const double err = std::fabs(double{f} - got);
    const uint16_t mag = h & 0x7FFFu;
    for (uint16_t n : {static_cast<uint16_t>(mag + 1), static_cast<uint16_t>(mag == 0 ? 0 : mag - 1)}) {
      if (n >= 0x7C00u) continue;
      const double other = std::fabs(std::fabs(double{f}) - FloatFromHalf(n));
      ASSERT_LE(err, other) << std::hexfloat << f;
      if (err == other && n != mag) {
        ASSERT_EQ(h & 1u, 0u) << "tie not to even: " << std::hexfloat << f;
      }
    }
  }
}

TEST(Half, BulkMatchesScalar) {
  std::vector<float> in = {0.25f, -0.1f, 0.7071f, 1e-6f, -3.0f};
  std::vector<uint16_t> halves(in.size());
  HalvesFromFloats(in, halves.data());
  std::vector<float> back(in.size());
  FloatsFromHalves(halves.data(), back);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(halves[i], HalfFromFloat(in[i]));
    EXPECT_EQ(back[i], FloatFromHalf(halves[i]));
    EXPECT_NEAR(back[i], in[i], std::fabs(in[i]) * 0x1p-11f + 0x1p-25f);
  }
}

}  // namespace
}  // namespace facepass::sync
