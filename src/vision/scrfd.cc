#include "vision/scrfd.h"

#include <opencv2/core.hpp>

namespace facepass::vision {

Result<std::unique_ptr<Scrfd>> Scrfd::Create(const std::filesystem::path& file, int input_size,
                                             const LoadOptions& load) {
  std::unique_ptr<Scrfd> d(new Scrfd());
  d->input_ = input_size;
  FP_ASSIGN_OR_RETURN(d->net_, Network::Load(load, file));
  return d;
}

Result<std::vector<DetectorModel::Candidate>> Scrfd::Run(const cv::Mat& bgr_input, float min_score) const {
  FP_ASSIGN_OR_RETURN(auto outs, ForwardRgb(*net_, bgr_input, 1.0 / 128, 127.5));
  return DecodeOutputs(outs, [&](const std::vector<cv::Mat>& o) { return Decode(o, min_score); });
}

Result<std::vector<DetectorModel::Candidate>> Scrfd::Decode(const std::vector<cv::Mat>& outs, float min_score) const {
  // Per stride 8/16/32 with 2 anchors per cell a score [N,1], box distances [N,4] and
  // five keypoints [N,10], all in units of the stride.
  const int strides[3] = {8, 16, 32};
  std::vector<Candidate> faces;
  for (int stride : strides) {
    int grid = input_ / stride, n = grid * grid * 2;
    cv::Mat sc, bb, kp;
    for (const auto& o : outs) {
      cv::Mat m = OutputAs2D(o);
      if (m.rows != n) continue;
      if (m.cols == 1) sc = m;
      else if (m.cols == 4) bb = m;
      else if (m.cols == 10) kp = m;
    }
    if (sc.empty() || bb.empty()) return Status::Internal("unexpected scrfd outputs");
    for (int i = 0; i < n; ++i) {
      float s = sc.at<float>(i, 0);
      if (s < min_score) continue;
      int cell = i / 2;
      float ax = float((cell % grid) * stride), ay = float((cell / grid) * stride);
      const float* d = bb.ptr<float>(i);
      Candidate f;
      f.score = s;
      f.box = cv::Rect2f(ax - d[0] * stride, ay - d[1] * stride, (d[0] + d[2]) * stride, (d[1] + d[3]) * stride);
      if (!kp.empty()) {
        const float* k = kp.ptr<float>(i);
        for (int j = 0; j < 5; ++j) f.kps.emplace_back(ax + k[2 * j] * stride, ay + k[2 * j + 1] * stride);
      }
      faces.push_back(std::move(f));
    }
  }
  return faces;
}

}  // namespace facepass::vision
