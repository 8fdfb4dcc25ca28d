#include "vision/human_liveness_models.h"

#include <algorithm>
#include <cmath>

#include <opencv2/dnn.hpp>  // blobFromImage
#include <opencv2/imgproc.hpp>

#include "vision/landmarks.h"

namespace facepass::vision {
namespace {

constexpr float kCropFactor = 1.0f;  // crop side / detector box side (human feeds its face box)

// The model's first output for the face box scaled to size x size, RGB x/255.
Result<std::vector<cv::Mat>> RunOnFaceBox(const Network& net, const cv::Mat& bgr, const DetectedFace& face, int size) {
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
  return outs;
}

}  // namespace

Result<std::unique_ptr<HumanAntispoof>> HumanAntispoof::Create(const std::filesystem::path& file,
                                                               const LoadOptions& load) {
  FP_ASSIGN_OR_RETURN(auto net, Network::Load(load, file));
  return std::unique_ptr<HumanAntispoof>(new HumanAntispoof(std::move(net)));
}

Result<float> HumanAntispoof::Probability(const cv::Mat& bgr, const DetectedFace& face) const {
  FP_ASSIGN_OR_RETURN(auto outs, RunOnFaceBox(*net_, bgr, face, kInput));
  return std::clamp(outs[0].ptr<float>()[0], 0.f, 1.f);
}

Result<std::unique_ptr<HumanLiveness>> HumanLiveness::Create(const std::filesystem::path& file,
                                                             const LoadOptions& load) {
  FP_ASSIGN_OR_RETURN(auto net, Network::Load(load, file));
  return std::unique_ptr<HumanLiveness>(new HumanLiveness(std::move(net)));
}

Result<float> HumanLiveness::Probability(const cv::Mat& bgr, const DetectedFace& face) const {
  FP_ASSIGN_OR_RETURN(auto outs, RunOnFaceBox(*net_, bgr, face, kInput));
  const float* p = outs[0].ptr<float>();
  float v = p[0];
  if (outs[0].total() >= 2 && (p[0] + p[1] < 0.99f || p[0] + p[1] > 1.01f)) {
    v = 1.f / (1.f + std::exp(p[1] - p[0]));  // logits, not probabilities
  }
  return std::clamp(v, 0.f, 1.f);
}

}  // namespace facepass::vision
