#include "vision/alignment.h"

#include <algorithm>
#include <cmath>

#include "vision/landmarks.h"

namespace facepass::vision {
namespace {

// dlib's five-point mean face on the unit square (get_face_chip_details), in dlib's
// point order; x grows to the image's right, so the subject's left eye comes first.
constexpr double kDlibMeanFace5[kDlibChipPoints][2] = {
    {0.8595674595992, 0.2134981538014}, {0.6460604764104, 0.2289674387677},
    {0.1205750620789, 0.2137274526848}, {0.3340850613712, 0.2290642403242},
    {0.4901123135679, 0.6277975316475}};

// Facemesh points that stand in for dlib's: eye corners and the base of the nose.
constexpr int kMeshForDlib5[kDlibChipPoints] = {263, 362, 33, 133, 2};

// Facemesh points on the outline dlib's 68 landmarks span: the jaw from one ear to
// the other through the chin (dlib 0-16) and the brows (dlib 17-26).
constexpr int kMeshJaw[] = {127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152,
                            377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 356};
constexpr int kMeshBrows[] = {70, 63, 105, 66, 107, 336, 296, 334, 293, 300};

}  // namespace

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

std::vector<cv::Point2f> DlibChipTemplate(int size, float padding, float zoom) {
  std::vector<cv::Point2f> out;
  const double scale = size / (1.0 + 2.0 * padding), c = size / 2.0;
  for (const auto& p : kDlibMeanFace5)
    out.emplace_back(float(c + ((padding + p[0]) * scale - c) * zoom), float(c + ((padding + p[1]) * scale - c) * zoom));
  return out;
}

std::vector<cv::Point2f> DlibFivePointsFromMesh(const std::vector<cv::Point2f>& mesh) {
  if (mesh.size() < size_t(FaceMesh::kPoints)) return {};
  std::vector<cv::Point2f> out;
  for (int i : kMeshForDlib5) out.push_back(mesh[i]);
  return out;
}

cv::Mat DlibChipTransform(const std::vector<cv::Point2f>& five, int size, float padding, float zoom) {
  if (five.size() != size_t(kDlibChipPoints)) return {};
  return SimilarityLeastSquares(five, DlibChipTemplate(size, padding, zoom));
}

cv::Mat DlibChipTransformFromEyes(cv::Point2f left_eye, cv::Point2f right_eye, int size, float padding,
                                  float zoom) {
  const auto t = DlibChipTemplate(size, padding, zoom);
  // Template order: subject's left eye (image right) first.
  return SimilarityLeastSquares({left_eye, right_eye}, {(t[2] + t[3]) * 0.5f, (t[0] + t[1]) * 0.5f});
}

cv::Mat LandmarkBoxTransform(const std::vector<cv::Point2f>& mesh, int size, float zoom) {
  if (mesh.size() < size_t(FaceMesh::kPoints) || size <= 0 || !(zoom > 0)) return {};
  float x0 = 1e30f, x1 = -1e30f, y0 = 1e30f, y1 = -1e30f;
  auto take = [&](int i) {
    x0 = std::min(x0, mesh[i].x), x1 = std::max(x1, mesh[i].x);
    y0 = std::min(y0, mesh[i].y), y1 = std::max(y1, mesh[i].y);
  };
  for (int i : kMeshJaw) take(i);
  for (int i : kMeshBrows) take(i);
  const float side = std::max(x1 - x0, y1 - y0) * 1.2f * zoom;
  if (!(side > 1e-3f)) return {};
  return CropTransform(cv::Point2f((x0 + x1) / 2, (y0 + y1) / 2), side, 0.f, size);
}

}  // namespace facepass::vision
