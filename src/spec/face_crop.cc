#include "spec/face_crop.h"

#include <algorithm>
#include <cmath>

namespace facepass::spec {

Box FaceCropBox(const Box& f, int image_width, int image_height) {
  const double w = f.right - f.left, h = f.bottom - f.top;
  const auto at = [](double v, int hi) { return std::clamp(static_cast<int>(std::lround(v)), 0, hi); };
  return {at(f.left - w / 2, image_width), at(f.top - h * 3 / 5, image_height), at(f.right + w / 2, image_width),
          at(f.bottom + h * 2 / 5, image_height)};
}

}  // namespace facepass::spec
