#include "vision/rfb_detector.h"

#include <opencv2/core.hpp>

namespace facepass::vision {

Result<std::unique_ptr<RfbDetector>> RfbDetector::Create(const std::filesystem::path& file, int input_width,
                                                         const LoadOptions& load) {
  std::unique_ptr<RfbDetector> d(new RfbDetector());
  d->width_ = input_width;
  FP_ASSIGN_OR_RETURN(d->net_, Network::Load(load, file));
  return d;
}

Result<std::vector<DetectorModel::Candidate>> RfbDetector::Run(const cv::Mat& bgr_input, float min_score) const {
  FP_ASSIGN_OR_RETURN(auto outs, ForwardRgb(*net_, bgr_input, 1.0 / 128, 127));
  return DecodeOutputs(outs, [&](const std::vector<cv::Mat>& o) { return Decode(o, min_score); });
}

Result<std::vector<DetectorModel::Candidate>> RfbDetector::Decode(const std::vector<cv::Mat>& outs,
                                                                  float min_score) const {
  const cv::Size in = input();
  cv::Mat sc, bb;
  for (const auto& o : outs) {
    cv::Mat m = OutputAs2D(o);
    if (m.cols == 2) sc = m;
    else if (m.cols == 4) bb = m;
  }
  if (sc.empty() || bb.empty() || sc.rows != bb.rows) return Status::Internal("unexpected rfb outputs");
  std::vector<Candidate> faces;
  for (int i = 0; i < sc.rows; ++i) {
    float s = sc.at<float>(i, 1);
    if (!(s >= min_score)) continue;
    const float* b = bb.ptr<float>(i);
    Candidate f;
    f.score = s;
    f.box = cv::Rect2f(b[0] * in.width, b[1] * in.height, (b[2] - b[0]) * in.width, (b[3] - b[1]) * in.height);
    if (!(f.box.width > 0 && f.box.height > 0)) continue;
    faces.push_back(std::move(f));
  }
  return faces;
}

}  // namespace facepass::vision
