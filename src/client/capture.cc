#include "client/capture.h"

#include <algorithm>
#include <numeric>

#include "spec/face_crop.h"
#include "vision/engine.h"

namespace facepass::client {

vision::Rect CaptureRect(const vision::Rect& face, int frame_width, int frame_height) {
  const spec::Box c = spec::FaceCropBox({face.left, face.top, face.right, face.bottom}, frame_width, frame_height);
  return {c.left, c.top, c.right, c.bottom};
}

Result<std::vector<Capture>> CutCaptures(const cv::Mat& bgr, const std::vector<vision::DetectedFace>& faces,
                                         size_t max_faces) {
  std::vector<size_t> order(faces.size());
  std::iota(order.begin(), order.end(), 0);
  if (order.size() > max_faces) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const vision::Rect& x = faces[a].rect;
      const vision::Rect& y = faces[b].rect;
      return int64_t{x.width()} * x.height() > int64_t{y.width()} * y.height();
    });
    order.resize(max_faces);
    std::sort(order.begin(), order.end());
  }
  std::vector<Capture> out;
  for (size_t i : order) {
    Capture c;
    c.track_id = static_cast<int>(out.size()) + 1;
    c.face = faces[i].rect;
    c.crop = CaptureRect(c.face, bgr.cols, bgr.rows);
    if (c.crop.width() <= 0 || c.crop.height() <= 0) continue;
    cv::Mat roi = bgr(cv::Rect(c.crop.left, c.crop.top, c.crop.width(), c.crop.height()));
    FP_ASSIGN_OR_RETURN(std::string jpeg, vision::EncodeJpeg(roi, 95));
    c.jpeg = std::move(jpeg);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace facepass::client
