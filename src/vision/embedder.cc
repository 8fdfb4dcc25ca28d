#include "vision/embedder.h"

#include <cmath>

#include <opencv2/calib3d.hpp>
#include <opencv2/dnn.hpp>  // blobFromImage
#include <opencv2/imgproc.hpp>

#include "vision/landmarks.h"

namespace facepass::vision {
namespace {

// InsightFace's ArcFace template for a 112x112 crop: eyes, nose tip, mouth corners
// (image-left first).
const cv::Point2f kArcFace112[5] = {
    {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {41.5493f, 92.3655f}, {70.7299f, 92.2041f}};

// Alignment revision: bump when crop geometry changes so search_model changes too.
// 3: least-squares similarity over the five points (was LMEDS: a random-sampling
// robust fit, 1-2 ms, and a subset fit where every point is trusted anyway).
constexpr int kAlignVersion = 3;

// The similarity transform (rotation, uniform scale, shift; no reflection) that maps
// `src` onto `dst` with the least squared error, in closed form. Empty if degenerate.
cv::Mat SimilarityLeastSquares(const std::vector<cv::Point2f>& src, const std::vector<cv::Point2f>& dst) {
  const size_t n = std::min(src.size(), dst.size());
  if (n < 2) return {};
  cv::Point2d ms(0, 0), md(0, 0);
  for (size_t i = 0; i < n; ++i) ms += cv::Point2d(src[i]), md += cv::Point2d(dst[i]);
  ms *= 1.0 / n, md *= 1.0 / n;
  double num_a = 0, num_b = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    cv::Point2d p = cv::Point2d(src[i]) - ms, q = cv::Point2d(dst[i]) - md;
    num_a += p.x * q.x + p.y * q.y;
    num_b += p.x * q.y - p.y * q.x;
    den += p.x * p.x + p.y * p.y;
  }
  if (!(den > 1e-9)) return {};
  const double a = num_a / den, b = num_b / den;
  if (!std::isfinite(a) || !std::isfinite(b)) return {};
  return (cv::Mat_<double>(2, 3) << a, -b, md.x - (a * ms.x - b * ms.y), b, a, md.y - (b * ms.x + a * ms.y));
}

}  // namespace

Result<std::unique_ptr<Embedder>> Embedder::Create(const EmbedderConfig& cfg,
                                                   const std::filesystem::path& file, const LoadOptions& load) {
  std::unique_ptr<Embedder> e(new Embedder());
  e->name_ = cfg.kind.empty() ? "arcface" : cfg.kind;
  e->output_ = cfg.output;
  if (e->name_ == "faceres") {
    e->kind_ = Kind::kFaceRes;
    e->input_ = 224;
    e->alignment_ = "mesh_box";
    e->zoom_ = 1.1f;
    if (e->output_.empty()) e->output_ = "global_pooling/Mean";
  } else if (e->name_ == "faceapi") {
    e->kind_ = Kind::kFaceApi;
    e->input_ = 150;
    e->zoom_ = 1.0f;
  } else if (e->name_ == "arcface") {
    e->kind_ = Kind::kArcFace;
    e->input_ = 112;
    e->zoom_ = 1.0f;
  } else {
    return Status::InvalidArgument("unknown embedder kind: " + e->name_ + " (arcface, faceres or faceapi)");
  }
  if (cfg.input_size > 0) e->input_ = cfg.input_size;
  if (!cfg.alignment.empty()) {
    if (cfg.alignment != "template" && cfg.alignment != "mesh_box")
      return Status::InvalidArgument("unknown alignment: " + cfg.alignment);
    e->alignment_ = cfg.alignment;
  }
  if (cfg.zoom > 0) e->zoom_ = cfg.zoom;
  e->flip_ = cfg.flip > 0;  // off by default: +11 ms for 0.2 points of TAR on lfw-dev (docs/models.md)
  FP_ASSIGN_OR_RETURN(e->net_, Network::Load(load, file));
  // An output name that the model lacks falls back to its only/first output.
  const auto& names = e->net_->output_names();
  if (std::find(names.begin(), names.end(), e->output_) == names.end()) {
    bool found = false;
    for (const auto& n : names)
      if (n.find(e->output_) != std::string::npos && !e->output_.empty()) { e->output_ = n; found = true; break; }
    if (!found) e->output_ = names.empty() ? "" : names.front();
  }
  // Probe once for the dimension.
  cv::Mat probe(e->input_, e->input_, CV_8UC3, cv::Scalar(128, 128, 128));
  FP_ASSIGN_OR_RETURN(auto f, e->Embed(probe));
  e->dim_ = int(f.size());
  return e;
}

cv::Mat Embedder::AlignedCrop(const cv::Mat& bgr, const DetectedFace& face,
                              const std::vector<cv::Point2f>& mesh) const {
  if (alignment_ == "mesh_box" && mesh.size() >= size_t(FaceMesh::kPoints)) {
    // Level the outer eye corners, take the square around every mesh point in that frame.
    float angle = std::atan2(mesh[263].y - mesh[33].y, mesh[263].x - mesh[33].x);
    float c = std::cos(angle), s = std::sin(angle);
    cv::Point2f mean(0, 0);
    for (const auto& p : mesh) mean += p;
    mean *= 1.f / mesh.size();
    float x0 = 1e30f, x1 = -1e30f, y0 = 1e30f, y1 = -1e30f;
    for (const auto& p : mesh) {
      cv::Point2f d = p - mean;
      float x = c * d.x + s * d.y, y = -s * d.x + c * d.y;  // rotated by -angle
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
    float bx = (x0 + x1) / 2, by = (y0 + y1) / 2;
    cv::Point2f centre(mean.x + c * bx - s * by, mean.y + s * bx + c * by);
    cv::Mat m = CropTransform(centre, std::max(x1 - x0, y1 - y0) * zoom_, angle, input_), crop;
    cv::warpAffine(bgr, crop, m, cv::Size(input_, input_), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return crop;
  }
  // Without a mesh, "mesh_box" falls back to the template at the zoom that suits faceres.
  const float z = alignment_ == "mesh_box" ? 0.78f : zoom_;
  std::vector<cv::Point2f> src = FivePoints(face, mesh), dst;
  const float s = input_ / 112.f, c = input_ / 2.f;
  for (const auto& p : kArcFace112) dst.emplace_back(c + (p.x * s - c) * z, c + (p.y * s - c) * z);
  cv::Mat m, crop;
  if (src.size() == 5) m = SimilarityLeastSquares(src, dst);
  if (m.empty()) {
    // No usable points: the detector box, squared.
    const Rect& r = face.rect;
    m = CropTransform(cv::Point2f((r.left + r.right) / 2.f, (r.top + r.bottom) / 2.f),
                      float(std::max(r.width(), r.height())) / z, 0.f, input_);
  }
  cv::warpAffine(bgr, crop, m, cv::Size(input_, input_), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return crop;
}

Result<std::vector<float>> Embedder::Embed(const cv::Mat& crop) const {
  FP_ASSIGN_OR_RETURN(auto f, Forward1(crop));
  if (flip_) {
    cv::Mat mirrored;
    try {
      cv::flip(crop, mirrored, 1);
    } catch (const cv::Exception& e) {
      return Status::Internal(std::string("embedder flip: ") + e.what());
    }
    FP_ASSIGN_OR_RETURN(auto g, Forward1(mirrored));
    if (g.size() != f.size()) return Status::Internal("embedder: mirrored feature has another size");
    for (size_t i = 0; i < f.size(); ++i) f[i] += g[i];
  }
  double n = 0;
  for (float x : f) n += double(x) * x;
  n = std::sqrt(n);
  if (!(n > 0) || !std::isfinite(n)) return Status::Internal("embedder output has no direction");
  for (float& x : f) x = float(x / n);
  return f;
}

Result<std::vector<float>> Embedder::Forward1(const cv::Mat& crop) const {
  cv::Mat blob;
  try {
    cv::Mat in = crop;
    if (in.cols != input_ || in.rows != input_) cv::resize(crop, in, cv::Size(input_, input_));
    if (kind_ == Kind::kFaceRes) {
      blob = cv::dnn::blobFromImage(in, 1.0, cv::Size(), cv::Scalar(), true);  // RGB 0..255
    } else if (kind_ == Kind::kFaceApi) {
      // face-api's (rgb - mean) / 255 is inside the converted graph: feed RGB 0..255.
      blob = cv::dnn::blobFromImage(in, 1.0, cv::Size(), cv::Scalar(), true);
    } else {
      blob = cv::dnn::blobFromImage(in, 1.0 / 127.5, cv::Size(), cv::Scalar(127.5, 127.5, 127.5), true);
    }
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("embedder preprocessing: ") + e.what());
  }
  std::vector<cv::Mat> outs;
  const std::vector<std::string> wanted = output_.empty() ? std::vector<std::string>{} : std::vector{output_};
  FP_RETURN_IF_ERROR(net_->Run(blob, wanted, &outs));
  if (outs.empty() || outs[0].total() == 0) return Status::Internal("embedder produced no output");
  cv::Mat v = outs[0].reshape(1, 1);
  std::vector<float> f(v.ptr<float>(), v.ptr<float>() + v.total());
  for (float x : f)
    if (!std::isfinite(x)) return Status::Internal("embedder output is not finite");
  return f;
}

std::string Embedder::id() const {
  char zoom_s[16];
  snprintf(zoom_s, sizeof zoom_s, "%.2f", zoom_);
  return name_ + "-" + std::to_string(dim_) + "-" + net_->content_id() + "-a" +
         std::to_string(kAlignVersion) + (alignment_ == "mesh_box" ? "b" : "t") + zoom_s +
         (flip_ ? "f" : "");
}

}  // namespace facepass::vision
