// IEEE 754 binary16 ("half") <-> binary32, for sync format 2's features.
// One implementation, used by the encoder (server) and the decoder (device
// SDK), so both sides agree bit for bit. Narrowing rounds to nearest, ties to
// even; beyond the half range it gives infinity, NaN stays NaN. Widening is
// exact.
#pragma once

#include <cstdint>
#include <span>

namespace facepass::sync {

uint16_t HalfFromFloat(float f);
float FloatFromHalf(uint16_t h);

// Element-wise over spans of equal size (the codec's bulk paths).
void HalvesFromFloats(std::span<const float> in, uint16_t* out);
void FloatsFromHalves(const uint16_t* in, std::span<float> out);

}  // namespace facepass::sync
