// The spec's face crop (the picture of a face that image query returns and that a device
// sends for recognition): the face box widened by half its width on each side, 3/5 of its
// height above and 2/5 below, rounded to the nearest pixel (the server's rounding) and
// clipped to the image. Used by service/face_service and client/capture.
#pragma once

namespace facepass::spec {

// Pixels; right/bottom exclusive.
struct Box {
  int left = 0, top = 0, right = 0, bottom = 0;
  bool operator==(const Box&) const = default;
};

Box FaceCropBox(const Box& face, int image_width, int image_height);

}  // namespace facepass::spec
