#include "vision/quality.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/engine.h"

namespace facepass::vision {
namespace {

// Face boxes taller than this are shrunk to it before measuring; smaller ones (100-128 px
// pass the face_min gate) are measured as they are: upscaling them would itself read
// as blur and refuse sharp small faces (half of LFW's 250x250 photos did).
constexpr int kBlurHeight = 128;
// Crete values of faces at that height: sharp dev photos 0.26-0.45, the same photos
// Gaussian-blurred with sigma 3 (faces of 150-500 px) 0.55-0.8. Piecewise linear map
// crete 0.25 -> 0, kBlurKnee -> 0.2 (the enrol gate), 1 -> 1.
constexpr float kBlurFloor = 0.25f, kBlurKnee = 0.5f;
// The six-point mean face reads frontal portraits about 6 degrees "down" (median of the
// frontal dev photos): corrected so that those read 0.
constexpr float kPitchOffset = 6.0f;

// Six points of a generic 3D head in camera-like axes (x right, y down, z away from
// the camera), millimetre-ish units; the commonly published mean-face values.
const cv::Point3f kModel[6] = {
    {0.f, 0.f, 0.f},          // nose tip            (mesh 1)
    {0.f, 330.f, 65.f},       // chin                (mesh 152)
    {-225.f, -170.f, 135.f},  // image-left eye outer corner  (mesh 33)
    {225.f, -170.f, 135.f},   // image-right eye outer corner (mesh 263)
    {-150.f, 150.f, 125.f},   // image-left mouth corner      (mesh 61)
    {150.f, 150.f, 125.f},    // image-right mouth corner     (mesh 291)
};
const int kMeshIdx[6] = {1, 152, 33, 263, 61, 291};

float Directional(const cv::Mat& f, bool vertical) {
  cv::Mat b;
  cv::blur(f, b, vertical ? cv::Size(1, 9) : cv::Size(9, 1), cv::Point(-1, -1), cv::BORDER_REFLECT);
  const int m = 5;  // ignore the filter's border zone
  double s_f = 0, s_v = 0;
  for (int y = m; y < f.rows - m; ++y) {
    const float* fr = f.ptr<float>(y);
    const float* br = b.ptr<float>(y);
    const float* fp = vertical ? f.ptr<float>(y - 1) : fr - 1;
    const float* bp = vertical ? b.ptr<float>(y - 1) : br - 1;
    for (int x = m; x < f.cols - m; ++x) {
      float df = std::abs(fr[x] - fp[x]);
      float db = std::abs(br[x] - bp[x]);
      s_f += df;
      s_v += std::max(0.f, df - db);
    }
  }
  if (s_f <= 0) return 1.f;
  return float((s_f - s_v) / s_f);
}

}  // namespace

float CreteBlur(const cv::Mat& grey) {
  if (grey.rows < 16 || grey.cols < 16) return 1.f;
  cv::Mat f;
  grey.convertTo(f, CV_32F);
  return std::max(Directional(f, true), Directional(f, false));
}

float FaceBlur(const cv::Mat& grey, const Rect& r) {
  cv::Rect box(r.left, r.top, r.width(), r.height());
  box &= cv::Rect(0, 0, grey.cols, grey.rows);
  if (box.width < 8 || box.height < 8) return 1.f;
  cv::Mat crop;
  double s = std::min(1.0, double(kBlurHeight) / box.height);
  cv::resize(grey(box), crop, cv::Size(std::max(16, int(std::lround(box.width * s))), kBlurHeight),
             0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  float c = CreteBlur(crop);
  float v = c < kBlurKnee ? 0.2f * (c - kBlurFloor) / (kBlurKnee - kBlurFloor)
                          : 0.2f + 0.8f * (c - kBlurKnee) / (1.f - kBlurKnee);
  return std::clamp(v, 0.f, 1.f);
}

Pose PoseFromMesh(const std::vector<cv::Point2f>& mesh, cv::Size image) {
  Pose pose;
  if (mesh.size() < 468) return pose;
  std::vector<cv::Point3f> obj(kModel, kModel + 6);
  std::vector<cv::Point2f> img;
  for (int i : kMeshIdx) img.push_back(mesh[i]);
  // Principal point on the face: the pose is then relative to the line of sight to the
  // face, not to the optical axis (an off-centre face would otherwise gain pitch/yaw).
  double f = std::max(image.width, image.height);
  cv::Point2f c(0, 0);
  for (const auto& p : img) c += p;
  c *= 1.f / img.size();
  cv::Mat cam = (cv::Mat_<double>(3, 3) << f, 0, c.x, 0, f, c.y, 0, 0, 1);
  cv::Mat rvec, tvec, rot, mtxR, mtxQ;
  try {
    if (!cv::solvePnP(obj, img, cam, cv::noArray(), rvec, tvec, false, cv::SOLVEPNP_ITERATIVE))
      return PoseFromKeypoints({});
    cv::Rodrigues(rvec, rot);
    cv::Vec3d e = cv::RQDecomp3x3(rot, mtxR, mtxQ);  // degrees about x, y, z
    pose.pitch = float(-e[0]) + kPitchOffset;
    pose.yaw = float(e[1]);
    pose.roll = float(e[2]);
  } catch (const cv::Exception&) {
    return pose;
  }
  // Roll from the eye line is steadier than from the decomposition.
  cv::Point2f d = mesh[263] - mesh[33];
  pose.roll = float(std::atan2(d.y, d.x) * 180.0 / CV_PI);
  return pose;
}

Pose PoseFromMesh3D(const std::vector<cv::Point2f>& m, const std::vector<float>& z) {
  Pose pose;
  if (m.size() < 468 || z.size() < 468) return pose;
  auto deg = [](double r) { return float(r * 180.0 / CV_PI); };
  // Image-left eye outer corner 33, image-right 263; forehead 10, chin 152.
  pose.yaw = deg(std::atan2(z[263] - z[33], m[263].x - m[33].x));
  pose.pitch = deg(std::atan2(z[10] - z[152], m[152].y - m[10].y));
  pose.roll = deg(std::atan2(m[263].y - m[33].y, m[263].x - m[33].x));
  return pose;
}

Pose PoseFromKeypoints(const std::vector<cv::Point2f>& k) {
  Pose pose;
  if (k.size() < 4) return pose;
  // k: right eye, left eye (subject's), nose, mouth.
  cv::Point2f eyes = (k[0] + k[1]) * 0.5f, d = k[1] - k[0];
  float eye_dist = std::max(1.f, float(std::hypot(d.x, d.y)));
  pose.roll = float(std::atan2(d.y, d.x) * 180.0 / CV_PI);
  // Nose offset from the eye midpoint across the eye line, relative to half the eye distance.
  cv::Point2f u = d / eye_dist, n = k[2] - eyes;
  float across = n.x * u.x + n.y * u.y, down = -n.x * u.y + n.y * u.x;
  pose.yaw = float(std::asin(std::clamp(across / (0.5f * eye_dist), -1.f, 1.f)) * 180.0 / CV_PI);
  // A frontal nose tip sits about 0.55 eye distances below the eyes.
  pose.pitch = float((0.55f - down / eye_dist) * 90.0f);
  return pose;
}

Quality MeasureQuality(const cv::Mat& bgr, const cv::Mat& grey, const DetectedFace& face,
                       const std::vector<cv::Point2f>& mesh, const std::vector<float>& depth) {
  Quality q;
  const Rect& r = face.rect;
  q.face_min = std::min(r.width(), r.height());
  if (mesh.size() >= 468) {
    // solvePnP against the six-point mean face overstates yaw by ~1.7x on the dev photos
    // (its nose is too shallow for facemesh's points); the mesh's own depth reads turned
    // faces plausibly. Pitch from PnP (no depth bias), roll from the eye line.
    q.pose = PoseFromMesh(mesh, bgr.size());
    if (depth.size() >= 468) q.pose.yaw = -PoseFromMesh3D(mesh, depth).yaw;
  } else {
    q.pose = PoseFromKeypoints(face.landmarks);
  }
  cv::Rect box(r.left, r.top, r.width(), r.height());
  box &= cv::Rect(0, 0, grey.cols, grey.rows);
  if (box.area() > 0) {
    cv::Scalar mean, stddev;
    cv::meanStdDev(grey(box), mean, stddev);
    q.brightness = float(mean[0]);
    q.std_deviation = float(stddev[0]);
  }
  q.blur = FaceBlur(grey, r);
  return q;
}

namespace {

// Shortest of 0..3 decimals that still shows the value on the failing side of the limit,
// trailing zeros dropped: "face_min=88<100", "yaw=27.4>20", "blur=0.31>0.2".
std::string GateReason(const char* name, double v, bool above, double limit, int decimals) {
  std::string s;
  for (int d = decimals; d <= 3; ++d) {
    char val[32];
    snprintf(val, sizeof val, "%.*f", d, v);
    s = val;
    double shown = std::stod(s);
    if (above ? shown > limit : shown < limit) break;
  }
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  char lim[32];
  snprintf(lim, sizeof lim, "%g", limit);
  return std::string(name) + "=" + s + (above ? ">" : "<") + lim;
}

}  // namespace

std::optional<std::string> FirstFailedGate(const Quality& q) {
  // Angles are compared (and shown) as absolute values.
  if (q.face_min < 100) return GateReason("face_min", q.face_min, false, 100, 0);
  if (std::abs(q.pose.yaw) > 20) return GateReason("yaw", std::abs(q.pose.yaw), true, 20, 1);
  if (std::abs(q.pose.pitch) > 20) return GateReason("pitch", std::abs(q.pose.pitch), true, 20, 1);
  if (std::abs(q.pose.roll) > 20) return GateReason("roll", std::abs(q.pose.roll), true, 20, 1);
  if (q.blur > 0.2f) return GateReason("blur", q.blur, true, 0.2, 2);
  if (q.brightness < 75) return GateReason("brightness", q.brightness, false, 75, 0);
  if (q.brightness > 210) return GateReason("brightness", q.brightness, true, 210, 0);
  if (q.std_deviation > 80) return GateReason("std_deviation", q.std_deviation, true, 80, 1);
  return std::nullopt;
}

}  // namespace facepass::vision
