#include "vision/detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/dnn.hpp>  // blobFromImage
#include <opencv2/imgproc.hpp>

namespace facepass::vision {
namespace {

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

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

// An output viewed as [rows, cols] (cols = last dimension).
cv::Mat As2D(const cv::Mat& m) {
  if (m.dims <= 2) return m.reshape(1, m.dims == 2 ? m.size[0] : 1);
  int cols = m.size[m.dims - 1];
  return m.reshape(1, int(m.total() / cols));
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
  d->name_ = cfg.kind.empty() ? "blazeface" : cfg.kind;
  if (d->name_ == "blazeface") d->kind_ = Kind::kBlazeFace;
  else if (d->name_ == "scrfd") d->kind_ = Kind::kScrfd;
  else if (d->name_ == "rfb") d->kind_ = Kind::kRfb;
  else return Status::InvalidArgument("unknown detector kind: " + d->name_ + " (blazeface, rfb or scrfd)");
  const int default_input = d->kind_ == Kind::kBlazeFace ? 256 : d->kind_ == Kind::kRfb ? 320 : 640;
  d->input_ = cfg.input_size > 0 ? cfg.input_size : default_input;
  d->input_h_ = d->kind_ == Kind::kRfb ? d->input_ * 3 / 4 : d->input_;
  d->min_score_ = cfg.min_score;
  FP_ASSIGN_OR_RETURN(d->net_, Network::Load(load, file));
  if (d->kind_ == Kind::kBlazeFace) {
    // Two SSD heads: stride 16 with 2 anchors per cell, stride 32 with 6.
    const int strides[2] = {16, 32}, per_cell[2] = {2, 6};
    for (int i = 0; i < 2; ++i) {
      int grid = (d->input_ + strides[i] - 1) / strides[i];
      for (int y = 0; y < grid; ++y)
        for (int x = 0; x < grid; ++x)
          for (int n = 0; n < per_cell[i]; ++n)
            d->anchors_.emplace_back(strides[i] * (x + 0.5f), strides[i] * (y + 0.5f));
    }
  }
  return d;
}

Result<std::vector<Detector::RawFace>> Detector::DecodeBlazeFace(const std::vector<cv::Mat>& outs) const {
  // Accept either one [896,17] tensor (score, then 16 regressors) or separate score [N,1]
  // and regressor [N,16] tensors per head; heads are put in anchor order by size.
  const int total = int(anchors_.size());
  cv::Mat scores(total, 1, CV_32F), regs(total, 16, CV_32F);
  std::vector<cv::Mat> s_parts, r_parts;
  for (const auto& o : outs) {
    cv::Mat m = As2D(o);
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
  if (scores.rows != total || regs.rows != total)
    return Status::Internal("unexpected blazeface outputs");
  std::vector<RawFace> faces;
  for (int i = 0; i < total; ++i) {
    float s = Sigmoid(std::clamp(scores.at<float>(i, 0), -100.f, 100.f));
    if (s < min_score_) continue;
    const float* r = regs.ptr<float>(i);
    const cv::Point2f a = anchors_[i];
    float cx = a.x + r[0], cy = a.y + r[1], w = r[2], h = r[3];
    RawFace f;
    f.score = s;
    f.box = cv::Rect2f(cx - w / 2, cy - h / 2, w, h);
    for (int k = 0; k < 6; ++k) f.kps.emplace_back(a.x + r[4 + 2 * k], a.y + r[5 + 2 * k]);
    faces.push_back(std::move(f));
  }
  return faces;
}

Result<std::vector<Detector::RawFace>> Detector::DecodeScrfd(const std::vector<cv::Mat>& outs) const {
  // SCRFD (InsightFace): per stride 8/16/32 with 2 anchors per cell a score [N,1], box
  // distances [N,4] and five keypoints [N,10], all in units of the stride.
  const int strides[3] = {8, 16, 32};
  std::vector<RawFace> faces;
  for (int stride : strides) {
    int grid = input_ / stride, n = grid * grid * 2;
    cv::Mat sc, bb, kp;
    for (const auto& o : outs) {
      cv::Mat m = As2D(o);
      if (m.rows != n) continue;
      if (m.cols == 1) sc = m;
      else if (m.cols == 4) bb = m;
      else if (m.cols == 10) kp = m;
    }
    if (sc.empty() || bb.empty()) return Status::Internal("unexpected scrfd outputs");
    for (int i = 0; i < n; ++i) {
      float s = sc.at<float>(i, 0);
      if (s < min_score_) continue;
      int cell = i / 2;
      float ax = float((cell % grid) * stride), ay = float((cell / grid) * stride);
      const float* d = bb.ptr<float>(i);
      RawFace f;
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

Result<std::vector<Detector::RawFace>> Detector::DecodeRfb(const std::vector<cv::Mat>& outs) const {
  // Ultra-light RFB-320: scores [N,2] (background, face) and boxes [N,4] already decoded
  // by the graph to corners in [0,1] of the input.
  cv::Mat sc, bb;
  for (const auto& o : outs) {
    cv::Mat m = As2D(o);
    if (m.cols == 2) sc = m;
    else if (m.cols == 4) bb = m;
  }
  if (sc.empty() || bb.empty() || sc.rows != bb.rows) return Status::Internal("unexpected rfb outputs");
  std::vector<RawFace> faces;
  for (int i = 0; i < sc.rows; ++i) {
    float s = sc.at<float>(i, 1);
    if (!(s >= min_score_)) continue;
    const float* b = bb.ptr<float>(i);
    RawFace f;
    f.score = s;
    f.box = cv::Rect2f(b[0] * input_, b[1] * input_h_, (b[2] - b[0]) * input_, (b[3] - b[1]) * input_h_);
    if (!(f.box.width > 0 && f.box.height > 0)) continue;
    faces.push_back(std::move(f));
  }
  return faces;
}

Result<std::vector<DetectedFace>> Detector::DetectRegion(const cv::Mat& bgr, cv::Rect region) const {
  region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (region.area() == 0) return std::vector<DetectedFace>{};
  // Letterbox: scale the region to fit the input (rfb: 320x240), pad right/bottom with
  // black. (faceplugin's JS stretches to 320x240; letterboxing keeps portrait photos'
  // faces undistorted.)
  const double sx = std::min(double(input_) / region.width, double(input_h_) / region.height), sy = sx;
  cv::Size scaled(std::max(1, int(std::lround(region.width * sx))), std::max(1, int(std::lround(region.height * sy))));
  cv::Mat small, square(input_h_, input_, CV_8UC3, cv::Scalar(0, 0, 0)), blob;
  try {
    cv::resize(bgr(region), small, scaled, 0, 0, std::min(sx, sy) < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    small.copyTo(square(cv::Rect(0, 0, scaled.width, scaled.height)));
    if (kind_ == Kind::kRfb) {
      blob = cv::dnn::blobFromImage(square, 1.0 / 128, cv::Size(), cv::Scalar(127, 127, 127), true);
    } else if (kind_ == Kind::kBlazeFace) {
      blob = cv::dnn::blobFromImage(square, 1.0 / 127.5, cv::Size(), cv::Scalar(127.5, 127.5, 127.5), true);
    } else {
      blob = cv::dnn::blobFromImage(square, 1.0 / 128, cv::Size(), cv::Scalar(127.5, 127.5, 127.5), true);
    }
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("detector preprocessing: ") + e.what());
  }
  std::vector<cv::Mat> outs;
  FP_RETURN_IF_ERROR(net_->Run(blob, {}, &outs));
  Result<std::vector<RawFace>> decoded = Status::Internal("detector: not decoded");
  try {  // reshapes and concatenations of the outputs
    decoded = kind_ == Kind::kBlazeFace ? DecodeBlazeFace(outs)
              : kind_ == Kind::kRfb     ? DecodeRfb(outs)
                                        : DecodeScrfd(outs);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("detector outputs: ") + e.what());
  }
  if (!decoded.ok()) return decoded.status();
  std::vector<DetectedFace> faces;
  for (const RawFace& raw : decoded.value()) {
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
  if (faces.empty() && longer > 4 * input_) {
    constexpr int kMaxTiles = 16;
    int tile = std::max(input_, longer / 4), step = 0, nx = 0, ny = 0;
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
