#include "sync/half.h"

#include <bit>

namespace facepass::sync {

uint16_t HalfFromFloat(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));  // NaN, quiet
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504: infinity
  if (abs >= 0x38800000u) {  // a normal half (|f| >= 2^-14)
    // Rebias the exponent (127 -> 15), then round the 13 dropped bits to
    // nearest even: adding 0xFFF plus the kept LSB carries exactly when the
    // dropped part is above half, or half with an odd LSB; a carry out of the
    // mantissa correctly bumps the exponent.
    const uint32_t rebased = abs - (112u << 23);
    return static_cast<uint16_t>(sign | ((rebased + 0xFFFu + ((rebased >> 13) & 1u)) >> 13));
  }
  if (abs < 0x33000000u) return static_cast<uint16_t>(sign);  // below half the smallest subnormal: zero
  // A subnormal half: the value in units of 2^-24, rounded to nearest even.
  const uint32_t exp = abs >> 23;                       // 102..112
  const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;  // with the implicit 1
  const uint32_t shift = 126u - exp;                    // 14..24
  const uint32_t kept = mant >> shift;
  const uint32_t rest = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  const uint32_t rounded = kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
  return static_cast<uint16_t>(sign | rounded);  // 0x400 (the smallest normal) when it rounds up into it
}

float FloatFromHalf(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));  // inf, NaN
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
  // Zero or subnormal: mant * 2^-24, exact in binary32.
  const float magnitude = static_cast<float>(mant) * 0x1p-24f;
  return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
}

void HalvesFromFloats(std::span<const float> in, uint16_t* out) {
  for (size_t i = 0; i < in.size(); ++i) out[i] = HalfFromFloat(in[i]);
}

void FloatsFromHalves(const uint16_t* in, std::span<float> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = FloatFromHalf(in[i]);
}

}  // namespace facepass::sync
