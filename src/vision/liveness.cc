#include "vision/liveness.h"

#include <cmath>

#include <opencv2/dnn.hpp>  // blobFromImage
#include <opencv2/imgproc.hpp>

#include "vision/landmarks.h"

namespace facepass::vision {
namespace {

constexpr float kCropFactor = 1.0f;  // crop side / detector box side (human feeds its face box)

Result<float> RunOne(const Network& net, const cv::Mat& bgr, const DetectedFace& face, int size, bool softmax) {
  const Rect& r = face.rect;
  cv::Mat m = CropTransform(cv::Point2f((r.left + r.right) / 2.f, (r.top + r.bottom) / 2.f),
                            std::max(r.width(), r.height()) * kCropFactor, 0.f, size);
  cv::Mat crop, blob;
  std::vector<cv::Mat> outs;
  try {
    cv::warpAffine(bgr, crop, m, cv::Size(size, size), cv::INTER_AREA, cv::BORDER_REPLICATE);
    blob = cv::dnn::blobFromImage(crop, 1.0 / 255, cv::Size(), cv::Scalar(), true);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("liveness preprocessing: ") + e.what());
  }
  FP_RETURN_IF_ERROR(net.Run(blob, {}, &outs));
  if (outs.empty() || outs[0].total() < 1) return Status::Internal("liveness produced no output");
  const float* p = outs[0].ptr<float>();
  float v = p[0];
  if (softmax && outs[0].total() >= 2 && (p[0] + p[1] < 0.99f || p[0] + p[1] > 1.01f)) {
    v = 1.f / (1.f + std::exp(p[1] - p[0]));  // logits, not probabilities
  }
  return std::clamp(v, 0.f, 1.f);
}

}  // namespace

Result<std::unique_ptr<Liveness>> Liveness::Create(const std::filesystem::path& antispoof,
                                                   const std::filesystem::path& liveness, const LoadOptions& load) {
  std::unique_ptr<Liveness> l(new Liveness());
  auto a = Network::Load(load, antispoof);
  if (a.ok()) l->antispoof_ = std::move(a.value());
  auto b = Network::Load(load, liveness);
  if (b.ok()) l->liveness_ = std::move(b.value());
  if (!l->antispoof_ && !l->liveness_) return a.status();
  return l;
}

Status Liveness::Probabilities(const cv::Mat& bgr, const DetectedFace& face, float* antispoof,
                               float* live) const {
  *antispoof = *live = -1.f;
  if (antispoof_) {
    FP_ASSIGN_OR_RETURN(auto r, RunOne(*antispoof_, bgr, face, 128, false));
    *antispoof = r;
  }
  if (liveness_) {
    FP_ASSIGN_OR_RETURN(auto r, RunOne(*liveness_, bgr, face, 32, true));
    *live = r;
  }
  return Status::OK();
}

Result<float> Liveness::Score(const cv::Mat& bgr, const DetectedFace& face) const {
  float a, b;
  FP_RETURN_IF_ERROR(Probabilities(bgr, face, &a, &b));
  return Combine(a, b);
}

float Liveness::Combine(float antispoof, float live) {
  double prod = 1.0;
  int n = 0;
  for (float v : {antispoof, live})
    if (v >= 0) { prod *= v; ++n; }
  return float(100.0 * std::pow(prod, 1.0 / std::max(1, n)));
}

std::string Liveness::id() const {
  return std::string(antispoof_ ? "antispoof-" + antispoof_->content_id() : "") +
         (antispoof_ && liveness_ ? "+" : "") + (liveness_ ? "liveness-" + liveness_->content_id() : "");
}

}  // namespace facepass::vision
