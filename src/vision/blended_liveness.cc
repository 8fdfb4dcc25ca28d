#include "vision/blended_liveness.h"

namespace facepass::vision {

constexpr float kWeightSum = BlendedLiveness::kAntispoofWeight + BlendedLiveness::kLivenessWeight + BlendedLiveness::kFpWeight;
static_assert(kWeightSum > 0.9999f && kWeightSum < 1.0001f, "the weights are shares of one score");

Result<std::unique_ptr<BlendedLiveness>> BlendedLiveness::Create(const std::filesystem::path& antispoof,
                                                                 const std::filesystem::path& liveness,
                                                                 const std::filesystem::path& fp_liveness,
                                                                 const LoadOptions& load) {
  std::unique_ptr<BlendedLiveness> b(new BlendedLiveness());
  FP_ASSIGN_OR_RETURN(auto pair, Liveness::Create(antispoof, liveness, load));
  if (!pair->has_antispoof() || !pair->has_liveness())
    return Status::NotFound("blended liveness needs both " + antispoof.string() + " and " + liveness.string());
  FP_ASSIGN_OR_RETURN(auto fp, FpLiveness::Create(fp_liveness, load));
  b->pair_ = std::move(pair);
  b->fp_ = std::move(fp);
  return b;
}

Result<float> BlendedLiveness::Score(const cv::Mat& bgr, const DetectedFace& face) const {
  float antispoof = 0, live = 0;
  FP_RETURN_IF_ERROR(pair_->Probabilities(bgr, face, &antispoof, &live));
  FP_ASSIGN_OR_RETURN(auto fp, fp_->Probabilities(bgr, face));
  return 100.f * (kAntispoofWeight * antispoof + kLivenessWeight * live + kFpWeight * fp[FpLiveness::kLiveClass]);
}

}  // namespace facepass::vision
