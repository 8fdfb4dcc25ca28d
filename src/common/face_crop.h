// The spec's face crop (the picture of a face that image query returns and that a device
// sends for recognition): the face box widened by half its width on each side, 3/5 of its
// height above and 2/5 below, rounded to the nearest pixel and clipped to the image.
// One place for the server (service/face_service) and the device SDK (client/capture).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

namespace facepass {

// {left, top, right, bottom}; right/bottom exclusive.
inline std::array<int, 4> FaceCropBox(int left, int top, int right, int bottom, int image_width, int image_height) {
  const double w = right - left, h = bottom - top;
  const auto at = [](double v, int hi) { return std::clamp(static_cast<int>(std::lround(v)), 0, hi); };
  return {at(left - w / 2, image_width), at(top - h * 3 / 5, image_height), at(right + w / 2, image_width),
          at(bottom + h * 2 / 5, image_height)};
}

}  // namespace facepass
