#include "vision/detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace facepass::vision {
namespace {

// Area of the overlap of two boxes (0 when they do not meet).
double Intersection(const Rect& a, const Rect& b) {
  int l = std::max(a.left, b.left), t = std::max(a.top, b.top);
  int r = std::min(a.right, b.right), btm = std::min(a.bottom, b.bottom);
  return (r > l && btm > t) ? double(r - l) * double(btm - t) : 0.0;
}

float IoU(const Rect& a, const Rect& b) {
  double inter = Intersection(a, b), uni = a.area() + b.area() - inter;
  return uni > 0 ? float(inter / uni) : 0.f;
}

Rect ClipRect(float l, float t, float r, float b, cv::Size s) {
  Rect out;
  out.left = std::clamp(int(std::floor(l)), 0, s.width);
  out.top = std::clamp(int(std::floor(t)), 0, s.height);
  out.right = std::clamp(int(std::ceil(r)), 0, s.width);
  out.bottom = std::clamp(int(std::ceil(b)), 0, s.height);
  return out;
}

// Share of the smaller box that lies inside the other.
float CoveredShare(const Rect& a, const Rect& b) {
  double small = std::min(a.area(), b.area());
  return small > 0 ? float(Intersection(a, b) / small) : 0.f;
}

// Two faces of similar size that both survived SuppressOverlaps are two people (a
// face the network splits comes apart in unequal pieces): the photo has context,
// and the padded second look would merge them into one box.
bool HasSeparatePeople(const std::vector<DetectedFace>& faces) {
  for (size_t i = 0; i < faces.size(); ++i)
    for (size_t j = i + 1; j < faces.size(); ++j) {
      double ai = faces[i].rect.area(), aj = faces[j].rect.area();
      if (std::min(ai, aj) >= 0.5 * std::max(ai, aj)) return true;  // both survived SuppressOverlaps
    }
  return false;
}

}  // namespace

std::vector<DetectedFace> SuppressOverlaps(std::vector<DetectedFace> faces, float iou) {
  std::stable_sort(faces.begin(), faces.end(),
                   [](const DetectedFace& a, const DetectedFace& b) { return a.score > b.score; });
  std::vector<DetectedFace> kept;
  for (auto& f : faces) {
    bool dup = false;
    for (const auto& k : kept) {
      // Also drop a box mostly inside a kept one (tile borders cut faces in parts).
      if (IoU(f.rect, k.rect) > iou || CoveredShare(f.rect, k.rect) > 0.7f) { dup = true; break; }
    }
    if (!dup) kept.push_back(std::move(f));
  }
  return kept;
}

Result<std::unique_ptr<Detector>> Detector::Create(const DetectorConfig& cfg,
                                                   const std::filesystem::path& file, const LoadOptions& load) {
  std::unique_ptr<Detector> d(new Detector());
  FP_ASSIGN_OR_RETURN(d->kind_, ParseDetectorKind(cfg.kind));
  const auto& spec = Spec(d->kind_);
  d->min_score_ = cfg.min_score;
  FP_ASSIGN_OR_RETURN(d->model_, spec.create(file, cfg.input_size > 0 ? cfg.input_size : spec.input_size, load));
  return d;
}

Result<std::vector<DetectedFace>> Detector::DetectRegion(const cv::Mat& bgr, cv::Rect region) const {
  region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (region.area() == 0) return std::vector<DetectedFace>{};
  // Letterbox: scale the region to fit the input (rfb: 320x240), pad right/bottom with
  // black. (faceplugin's JS stretches to 320x240; letterboxing keeps portrait photos'
  // faces undistorted.)
  const cv::Size in = model_->input();
  const double sx = std::min(double(in.width) / region.width, double(in.height) / region.height), sy = sx;
  cv::Size scaled(std::max(1, int(std::lround(region.width * sx))), std::max(1, int(std::lround(region.height * sy))));
  cv::Mat small, square(in, CV_8UC3, cv::Scalar(0, 0, 0));
  try {
    cv::resize(bgr(region), small, scaled, 0, 0, std::min(sx, sy) < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    small.copyTo(square(cv::Rect(0, 0, scaled.width, scaled.height)));
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("detector preprocessing: ") + e.what());
  }
  FP_ASSIGN_OR_RETURN(auto decoded, model_->Run(square, min_score_));
  std::vector<DetectedFace> faces;
  for (const DetectorModel::Candidate& raw : decoded) {
    const cv::Rect2f& b = raw.box;
    if (b.x + b.width / 2 > scaled.width || b.y + b.height / 2 > scaled.height) continue;  // in the padding
    DetectedFace f;
    f.score = raw.score;
    f.rect = ClipRect(float(region.x + b.x / sx), float(region.y + b.y / sy), float(region.x + (b.x + b.width) / sx),
                      float(region.y + (b.y + b.height) / sy), bgr.size());
    if (f.rect.width() < 2 || f.rect.height() < 2) continue;
    for (const auto& p : raw.kps) f.landmarks.emplace_back(float(region.x + p.x / sx), float(region.y + p.y / sy));
    faces.push_back(std::move(f));
  }
  return SuppressOverlaps(std::move(faces), 0.3f);
}

Result<std::vector<DetectedFace>> Detector::Detect(const cv::Mat& bgr) const {
  const cv::Rect whole(0, 0, bgr.cols, bgr.rows);
  FP_ASSIGN_OR_RETURN(auto first, DetectRegion(bgr, whole));
  std::vector<DetectedFace> faces = std::move(first);
  const int longer = std::max(bgr.cols, bgr.rows);

  // Small faces in a large photo shrink below what the network sees at its input size:
  // it finds faces down to ~12 input pixels, so the whole-image pass misses faces
  // smaller than ~longer/21 (49 px at 1024, 195 px at 4096). Photos above 1024 px get
  // one more pass over overlapping tiles of a quarter of the longer side (overlap a
  // quarter tile, so any face up to tile/4 lies wholly in one tile); the tile grows to
  // keep the pass within kMaxTiles forward passes (~16 x 15 ms for a face-less photo).
  const int input = model_->input().width;
  if (faces.empty() && longer > 4 * input) {
    constexpr int kMaxTiles = 16;
    int tile = std::max(input, longer / 4), step = 0, nx = 0, ny = 0;
    for (;; tile += tile / 4) {
      step = tile * 3 / 4;
      nx = bgr.cols <= tile ? 1 : (bgr.cols - tile + step - 1) / step + 1;
      ny = bgr.rows <= tile ? 1 : (bgr.rows - tile + step - 1) / step + 1;
      if (nx * ny <= kMaxTiles) break;
    }
    for (int iy = 0; iy < ny; ++iy) {
      for (int ix = 0; ix < nx; ++ix) {
        // The last row/column is aligned to the far edge.
        int x = std::min(ix * step, std::max(0, bgr.cols - tile));
        int y = std::min(iy * step, std::max(0, bgr.rows - tile));
        FP_ASSIGN_OR_RETURN(auto part, DetectRegion(bgr, cv::Rect(x, y, tile, tile) & whole));
        for (auto& f : part) faces.push_back(std::move(f));
      }
    }
    faces = SuppressOverlaps(std::move(faces), 0.3f);
  }

  // A tight face crop (device captures) has no context around the face: the network
  // then misses it or splits it into parts. Look again with the image centred on a
  // grey canvas twice its size, and prefer that answer when it finds something.
  double largest = 0;
  for (const auto& f : faces) largest = std::max(largest, f.rect.area());
  const bool tight = largest > 0.25 * double(bgr.cols) * bgr.rows && !HasSeparatePeople(faces);
  if (faces.empty() || tight) {
    std::vector<DetectedFace> padded_faces;
    int pad = longer / 2;
    cv::Mat padded;
    try {
      cv::copyMakeBorder(bgr, padded, pad, pad, pad, pad, cv::BORDER_CONSTANT, cv::Scalar(127, 127, 127));
    } catch (const cv::Exception& e) {  // e.g. out of memory on a huge photo
      return Status::Internal(std::string("detector padding: ") + e.what());
    }
    FP_ASSIGN_OR_RETURN(auto part, DetectRegion(padded, cv::Rect(0, 0, padded.cols, padded.rows)));
    for (auto& f : part) {
      f.rect = ClipRect(float(f.rect.left - pad), float(f.rect.top - pad), float(f.rect.right - pad),
                        float(f.rect.bottom - pad), bgr.size());
      if (f.rect.width() < 2 || f.rect.height() < 2) continue;
      for (auto& p : f.landmarks) p -= cv::Point2f(float(pad), float(pad));
      padded_faces.push_back(std::move(f));
    }
    if (!padded_faces.empty()) faces = SuppressOverlaps(std::move(padded_faces), 0.3f);  // clipping can make boxes coincide
  }
  return faces;
}

}  // namespace facepass::vision
