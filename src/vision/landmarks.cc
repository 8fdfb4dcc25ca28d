#include "vision/landmarks.h"

#include <cmath>

#include <opencv2/dnn.hpp>  // blobFromImage
#include <opencv2/imgproc.hpp>

namespace facepass::vision {
namespace {
constexpr float kCropFactor = 1.6f;  // crop side / detector box side: mesh needs forehead and chin
}  // namespace

cv::Mat CropTransform(cv::Point2f centre, float side, float angle, int size) {
  // x' = s*R(-angle)*(x - centre) + size/2
  double s = size / std::max(1.f, side), c = std::cos(angle) * s, n = std::sin(angle) * s;
  cv::Mat m = (cv::Mat_<double>(2, 3) << c, n, 0, -n, c, 0);
  m.at<double>(0, 2) = size / 2.0 - (c * centre.x + n * centre.y);
  m.at<double>(1, 2) = size / 2.0 - (-n * centre.x + c * centre.y);
  return m;
}

float EyeAngle(const std::vector<cv::Point2f>& kps) {
  if (kps.size() < 2) return 0.f;
  // Keypoint 0 is the subject's right eye (image left), 1 the left eye.
  cv::Point2f d = kps[1] - kps[0];
  return float(std::atan2(d.y, d.x));
}

Result<std::unique_ptr<FaceMesh>> FaceMesh::Create(const std::filesystem::path& file, const LoadOptions& load) {
  std::unique_ptr<FaceMesh> m(new FaceMesh());
  FP_ASSIGN_OR_RETURN(m->net_, Network::Load(load, file));
  return m;
}

Result<std::vector<cv::Point2f>> FaceMesh::Run(const cv::Mat& bgr, const DetectedFace& face,
                                               float* confidence, std::vector<float>* depth) const {
  const Rect& r = face.rect;
  cv::Point2f centre((r.left + r.right) / 2.f, (r.top + r.bottom) / 2.f);
  float side = std::max(r.width(), r.height()) * kCropFactor;
  float angle = EyeAngle(face.landmarks);
  cv::Mat m = CropTransform(centre, side, angle, kInput), crop, blob;
  std::vector<cv::Mat> outs;
  try {
    cv::warpAffine(bgr, crop, m, cv::Size(kInput, kInput), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
    blob = cv::dnn::blobFromImage(crop, 1.0 / 255, cv::Size(), cv::Scalar(), true);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("mesh preprocessing: ") + e.what());
  }
  FP_RETURN_IF_ERROR(net_->Run(blob, {}, &outs));
  // Outputs: the 1404 coordinates (x, y, z in crop pixels) and a face-presence score.
  const cv::Mat* coords = nullptr;
  float conf = 1.f;
  for (const auto& o : outs) {
    if (o.total() == kPoints * 3) coords = &o;
    else if (o.total() == 1) conf = o.ptr<float>()[0];
  }
  if (!coords) return Status::Internal("unexpected facemesh outputs");
  if (conf < 0.f || conf > 1.f) conf = 1.f / (1.f + std::exp(-conf));  // a logit
  if (confidence) *confidence = conf;
  cv::Mat inv;
  cv::invertAffineTransform(m, inv);
  const float* p = coords->ptr<float>();
  std::vector<cv::Point2f> pts(kPoints);
  if (depth) {
    depth->resize(kPoints);
    for (int i = 0; i < kPoints; ++i) (*depth)[i] = p[3 * i + 2] * side / kInput;
  }
  for (int i = 0; i < kPoints; ++i) {
    double x = p[3 * i], y = p[3 * i + 1];
    pts[i].x = float(inv.at<double>(0, 0) * x + inv.at<double>(0, 1) * y + inv.at<double>(0, 2));
    pts[i].y = float(inv.at<double>(1, 0) * x + inv.at<double>(1, 1) * y + inv.at<double>(1, 2));
  }
  return pts;
}

std::vector<cv::Point2f> FivePoints(const DetectedFace& face, const std::vector<cv::Point2f>& mesh) {
  if (mesh.size() >= size_t(FaceMesh::kPoints)) {
    return {(mesh[33] + mesh[133]) * 0.5f, (mesh[362] + mesh[263]) * 0.5f, mesh[1], mesh[61], mesh[291]};
  }
  const auto& k = face.landmarks;
  if (k.size() == 5) return k;  // SCRFD order already
  if (k.size() < 4) return {};
  // Blazeface has only the mouth centre: put the corners at +-0.4 eye distances.
  cv::Point2f d = (k[1] - k[0]) * 0.4f;
  return {k[0], k[1], k[2], k[3] - d, k[3] + d};
}

}  // namespace facepass::vision
