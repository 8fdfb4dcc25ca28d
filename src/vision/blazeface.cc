#include "vision/blazeface.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

namespace facepass::vision {
namespace {

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

Result<std::unique_ptr<BlazeFace>> BlazeFace::Create(const std::filesystem::path& file, int input_size,
                                                     const LoadOptions& load) {
  std::unique_ptr<BlazeFace> d(new BlazeFace());
  d->input_ = input_size;
  FP_ASSIGN_OR_RETURN(d->net_, Network::Load(load, file));
  // Two SSD heads: stride 16 with 2 anchors per cell, stride 32 with 6.
  const int strides[2] = {16, 32}, per_cell[2] = {2, 6};
  for (int i = 0; i < 2; ++i) {
    int grid = (d->input_ + strides[i] - 1) / strides[i];
    for (int y = 0; y < grid; ++y)
      for (int x = 0; x < grid; ++x)
        for (int n = 0; n < per_cell[i]; ++n) d->anchors_.emplace_back(strides[i] * (x + 0.5f), strides[i] * (y + 0.5f));
  }
  return d;
}

Result<std::vector<DetectorModel::Candidate>> BlazeFace::Run(const cv::Mat& bgr_input, float min_score) const {
  FP_ASSIGN_OR_RETURN(auto outs, ForwardRgb(*net_, bgr_input, 1.0 / 127.5, 127.5));
  return DecodeOutputs(outs, [&](const std::vector<cv::Mat>& o) { return Decode(o, min_score); });
}

Result<std::vector<DetectorModel::Candidate>> BlazeFace::Decode(const std::vector<cv::Mat>& outs,
                                                                float min_score) const {
  // Accept either one [896,17] tensor (score, then 16 regressors) or separate score [N,1]
  // and regressor [N,16] tensors per head; heads are put in anchor order by size.
  const int total = int(anchors_.size());
  cv::Mat scores(total, 1, CV_32F), regs(total, 16, CV_32F);
  std::vector<cv::Mat> s_parts, r_parts;
  for (const auto& o : outs) {
    cv::Mat m = OutputAs2D(o);
    if (m.cols == 17 && m.rows == total) {
      m.col(0).copyTo(scores);
      m.colRange(1, 17).copyTo(regs);
      s_parts.clear();
      r_parts.clear();
      s_parts.push_back(scores);
      r_parts.push_back(regs);
      break;
    }
    if (m.cols == 16) r_parts.push_back(m);
    else if (m.cols == 1) s_parts.push_back(m);
  }
  auto by_rows_desc = [](const cv::Mat& a, const cv::Mat& b) { return a.rows > b.rows; };
  std::stable_sort(s_parts.begin(), s_parts.end(), by_rows_desc);  // 512 (stride 16) first
  std::stable_sort(r_parts.begin(), r_parts.end(), by_rows_desc);
  if (s_parts.size() > 1) cv::vconcat(s_parts, scores);
  else if (s_parts.size() == 1) scores = s_parts[0];
  if (r_parts.size() > 1) cv::vconcat(r_parts, regs);
  else if (r_parts.size() == 1) regs = r_parts[0];
  if (scores.rows != total || regs.rows != total) return Status::Internal("unexpected blazeface outputs");
  std::vector<Candidate> faces;
  for (int i = 0; i < total; ++i) {
    float s = Sigmoid(std::clamp(scores.at<float>(i, 0), -100.f, 100.f));
    if (s < min_score) continue;
    const float* r = regs.ptr<float>(i);
    const cv::Point2f a = anchors_[i];
    float cx = a.x + r[0], cy = a.y + r[1], w = r[2], h = r[3];
    Candidate f;
    f.score = s;
    f.box = cv::Rect2f(cx - w / 2, cy - h / 2, w, h);
    for (int k = 0; k < 6; ++k) f.kps.emplace_back(a.x + r[4 + 2 * k], a.y + r[5 + 2 * k]);
    faces.push_back(std::move(f));
  }
  return faces;
}

}  // namespace facepass::vision
