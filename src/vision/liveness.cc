#include "vision/liveness.h"

#include <algorithm>
#include <cmath>

namespace facepass::vision {

Result<std::unique_ptr<Liveness>> Liveness::Create(const std::filesystem::path& antispoof,
                                                   const std::filesystem::path& liveness, const LoadOptions& load) {
  std::unique_ptr<Liveness> l(new Liveness());
  auto a = HumanAntispoof::Create(antispoof, load);
  if (a.ok()) l->antispoof_ = std::move(a.value());
  auto b = HumanLiveness::Create(liveness, load);
  if (b.ok()) l->liveness_ = std::move(b.value());
  if (!l->antispoof_ && !l->liveness_) return a.status();
  return l;
}

Status Liveness::Probabilities(const cv::Mat& bgr, const DetectedFace& face, float* antispoof,
                               float* live) const {
  *antispoof = *live = -1.f;
  if (antispoof_) {
    FP_ASSIGN_OR_RETURN(auto r, antispoof_->Probability(bgr, face));
    *antispoof = r;
  }
  if (liveness_) {
    FP_ASSIGN_OR_RETURN(auto r, liveness_->Probability(bgr, face));
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
  return std::string(antispoof_ ? "antispoof-" + antispoof_->network().content_id() : "") +
         (antispoof_ && liveness_ ? "+" : "") + (liveness_ ? "liveness-" + liveness_->network().content_id() : "");
}

}  // namespace facepass::vision
