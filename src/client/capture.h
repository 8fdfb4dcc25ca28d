// Face captures a device cuts from a camera frame around the faces its own
// detector found, as sent to the server's recognise endpoint (image_<track_id>).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/types.h"

namespace facepass::client {

struct Capture {
  int track_id = 0;       // 1, 2, ... in detection order
  vision::Rect face;      // the detected face, frame pixels
  vision::Rect crop;      // the cut-out, frame pixels
  std::string jpeg;       // the cut-out, JPEG
};

// The margin around a face: twice its width, centred; twice its height, 3/5
// of the growth above and 2/5 below (the server's face-crop geometry), clipped
// to the frame. Enough context for the server's detector to find it again.
vision::Rect CaptureRect(const vision::Rect& face, int frame_width, int frame_height);

// One capture per face (at most `max_faces`, largest first when cut).
Result<std::vector<Capture>> CutCaptures(const cv::Mat& bgr, const std::vector<vision::DetectedFace>& faces,
                                         size_t max_faces = 8);

}  // namespace facepass::client
