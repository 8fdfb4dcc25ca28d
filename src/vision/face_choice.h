// Which face of a photo the API works on: the spec's "largest face".
#pragma once

#include <cstddef>
#include <vector>

#include "vision/types.h"

namespace facepass::vision {

// Faces whose box areas differ by less than this share count as equally large: a
// detector's box side wanders by a few percent from one photo of a face to the
// next, so "larger" inside that margin is noise, not size.
inline constexpr double kSameSizeMargin = 0.10;

// The index of the largest face (by box area inside the picture); among faces
// within kSameSizeMargin of the largest, the one whose centre is nearest the
// picture's centre (people photographed on purpose stand in the middle); exact
// ties keep the first detected, as the spec says. `faces` must not be empty.
size_t ChooseLargestFace(const std::vector<DetectedFace>& faces, int width, int height);

}  // namespace facepass::vision
