// Plain value types returned by the vision engine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace facepass::vision {

// What the image is for: each purpose has its own format and size limits.
enum class Purpose { kEnrol, kCompare, kRecognise };

// Image problems, checked in this order: size, format by magic bytes,
// resolution from the header (decompression bombs included), then decoding.
enum class ImageVerdict { kOk, kFileTooLarge, kUnsupportedFormat, kBadResolution, kCorrupt };

const char* VerdictName(ImageVerdict v);   // "ok", "file_too_large", ...
const char* PurposeName(Purpose p);        // "enrol", "compare", "recognise"

// Upright pixels (after EXIF orientation), clipped to the image; right/bottom exclusive.
struct Rect {
  int left = 0, top = 0, right = 0, bottom = 0;
  int width() const { return right - left; }
  int height() const { return bottom - top; }
  double area() const { return double(width()) * height(); }
};

// Degrees. yaw > 0: face turned towards the image's left (the subject's right);
// pitch > 0: looking up; roll > 0: head tilted clockwise in the image.
struct Pose {
  float yaw = 0, pitch = 0, roll = 0;
};

struct Quality {
  Pose pose;
  float blur = 0;           // [0,1], higher = blurrier (Crete et al. 2007)
  float brightness = 0;     // mean grey of the face box, 0..255
  float std_deviation = 0;  // std deviation of grey in the face box
  int face_min = 0;         // min(width, height) of the face rect
};

struct DetectedFace {
  Rect rect;
  float score = 0;                     // detector confidence in [0,1]
  std::vector<cv::Point2f> landmarks;  // detector keypoints: right eye, left eye, nose, mouth, right ear, left ear
};

struct FaceResult {
  DetectedFace face;
  Quality quality;
  std::vector<float> feature;       // unit length; empty when not asked
  cv::Mat aligned;                  // the BGR crop the embedder saw (with the feature)
  std::optional<float> liveness;    // [0,100] when asked
  std::vector<cv::Point2f> mesh;    // dense landmarks used for pose/alignment (may be empty)
};

struct Analysis {
  ImageVerdict verdict = ImageVerdict::kOk;
  std::string verdict_detail;
  std::string format;       // "jpeg" | "png" | "bmp" (by magic bytes)
  int width = 0, height = 0;  // upright
  std::vector<DetectedFace> faces;
  std::optional<FaceResult> best;  // largest face, ties: first detected
};

struct AnalyzeOptions {
  bool embed = true;
  bool liveness = false;
};

}  // namespace facepass::vision
