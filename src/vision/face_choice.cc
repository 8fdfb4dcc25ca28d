#include "vision/face_choice.h"

#include <algorithm>

namespace facepass::vision {

size_t ChooseLargestFace(const std::vector<DetectedFace>& faces, int width, int height) {
  double largest = 0;
  for (const auto& f : faces) largest = std::max(largest, f.rect.area());
  auto off_centre = [&](const Rect& r) {
    double dx = (r.left + r.right) / 2.0 - width / 2.0, dy = (r.top + r.bottom) / 2.0 - height / 2.0;
    return dx * dx + dy * dy;
  };
  size_t best = 0;
  bool found = false;
  for (size_t i = 0; i < faces.size(); ++i) {
    if (faces[i].rect.area() < largest * (1.0 - kSameSizeMargin)) continue;
    if (!found || off_centre(faces[i].rect) < off_centre(faces[best].rect)) best = i, found = true;
  }
  return best;
}

}  // namespace facepass::vision
