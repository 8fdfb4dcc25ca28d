#include "vision/embedder.h"

#include <cmath>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/alignment.h"
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

}  // namespace

Result<std::unique_ptr<Embedder>> Embedder::Create(const EmbedderConfig& cfg,
                                                   const std::filesystem::path& file, const LoadOptions& load) {
  std::unique_ptr<Embedder> e(new Embedder());
  FP_ASSIGN_OR_RETURN(e->kind_, ParseEmbedderKind(cfg.kind));
  if (!cfg.alignment.empty() && cfg.alignment != "template" && cfg.alignment != "mesh_box" &&
      cfg.alignment != "dlib" && cfg.alignment != "landmark_box")
    return Status::InvalidArgument("unknown alignment: " + cfg.alignment + " (template, mesh_box, dlib or landmark_box)");
  const auto& spec = Spec(e->kind_);
  FP_ASSIGN_OR_RETURN(e->model_, spec.create(file, load));
  e->name_ = spec.name;
  e->input_ = cfg.input_size > 0 ? cfg.input_size : spec.input_size;
  e->output_ = cfg.output.empty() ? e->model_->output() : cfg.output;
  e->alignment_ = e->model_->alignment();
  e->zoom_ = e->model_->zoom();
  if (!cfg.alignment.empty()) e->alignment_ = cfg.alignment;
  if (cfg.zoom > 0) e->zoom_ = cfg.zoom;
  e->align_ = e->alignment_ == "mesh_box" ? Align::kMeshBox
              : e->alignment_ == "dlib"   ? Align::kDlibChip
              : e->alignment_ == "landmark_box" ? Align::kLandmarkBox
                                                : Align::kTemplate;
  e->flip_ = cfg.flip > 0;  // off by default: +11 ms for 0.2 points of TAR on lfw-dev (docs/models.md)
  // An output name that the model lacks falls back to its only/first output.
  const auto& names = e->model_->network().output_names();
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
  if (align_ == Align::kDlibChip) return DlibChip(bgr, face, mesh);
  if (align_ == Align::kLandmarkBox) {
    cv::Mat m = LandmarkBoxTransform(mesh, input_, zoom_), crop;
    if (m.empty()) return DlibChip(bgr, face, mesh);  // no mesh: the chip from the eyes
    cv::warpAffine(bgr, crop, m, cv::Size(input_, input_), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return crop;
  }
  if (align_ == Align::kMeshBox && mesh.size() >= size_t(FaceMesh::kPoints)) {
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
  const float z = align_ == Align::kMeshBox ? 0.78f : zoom_;
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

cv::Mat Embedder::DlibChip(const cv::Mat& bgr, const DetectedFace& face,
                           const std::vector<cv::Point2f>& mesh) const {
  cv::Mat m = DlibChipTransform(DlibFivePointsFromMesh(mesh), input_, kDlibChipPadding, zoom_);
  if (m.empty()) {
    // No mesh: the detector's eye centres onto the centres of dlib's eye-corner pairs.
    if (auto pts = FivePoints(face, mesh); pts.size() >= 2)
      m = DlibChipTransformFromEyes(pts[0], pts[1], input_, kDlibChipPadding, zoom_);
  }
  if (m.empty()) {
    const Rect& r = face.rect;
    m = CropTransform(cv::Point2f((r.left + r.right) / 2.f, (r.top + r.bottom) / 2.f),
                      float(std::max(r.width(), r.height())) * (1.f + 2.f * kDlibChipPadding) / zoom_, 0.f, input_);
  }
  cv::Mat crop;
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
    blob = model_->Blob(in);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("embedder preprocessing: ") + e.what());
  }
  std::vector<cv::Mat> outs;
  const std::vector<std::string> wanted = output_.empty() ? std::vector<std::string>{} : std::vector{output_};
  FP_RETURN_IF_ERROR(model_->network().Run(blob, wanted, &outs));
  if (outs.empty() || outs[0].total() == 0) return Status::Internal("embedder produced no output");
  cv::Mat v = outs[0].reshape(1, 1);
  std::vector<float> f(v.ptr<float>(), v.ptr<float>() + v.total());
  for (float x : f)
    if (!std::isfinite(x)) return Status::Internal("embedder output is not finite");
  return f;
}

const char* Embedder::AlignLetter() const {
  switch (align_) {
    case Align::kMeshBox: return "b";
    case Align::kDlibChip: return "d";
    case Align::kLandmarkBox: return "l";
    case Align::kTemplate: break;
  }
  return "t";
}

std::string Embedder::id() const {
  char zoom_s[16];
  snprintf(zoom_s, sizeof zoom_s, "%.2f", zoom_);
  return name_ + "-" + std::to_string(dim_) + "-" + model_->network().content_id() + "-a" +
         std::to_string(kAlignVersion) + AlignLetter() + zoom_s +
         (flip_ ? "f" : "");
}

}  // namespace facepass::vision
