// Image validation from the header (before any pixel is decoded) and upright decoding.
#pragma once

#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "vision/types.h"

namespace facepass::vision {

struct ImageLimits {
  size_t max_bytes = 0;
  bool allow_bmp = false;
  long long max_area = 0;
  int min_side = 0;
};
ImageLimits LimitsFor(Purpose p);

struct ImageHeader {
  std::string format;     // "jpeg" | "png" | "bmp" | "gif" | "webp" | "" (unknown)
  int width = 0;          // as stored (before orientation)
  int height = 0;
  int orientation = 1;    // EXIF orientation 1..8 (JPEG only)
  bool has_alpha = false; // PNG colour types 4 and 6, or tRNS
  bool truncated = false; // end marker missing
  int scans = 0;          // JPEG: SOS markers (a progressive file has several)
  int upright_width() const { return orientation >= 5 ? height : width; }
  int upright_height() const { return orientation >= 5 ? width : height; }
};

// Decode work grows with the scan count, not only the area: thousands of tiny
// progressive scans hold a worker for seconds. Real encoders write at most ~20.
inline constexpr int kMaxJpegScans = 100;

// Reads format, dimensions and EXIF orientation without decoding pixels.
// Returns false when the header is unreadable.
bool ReadImageHeader(std::string_view bytes, ImageHeader* out);

// The checks in the order of docs/decisions.md "Face add" (size, format,
// resolution), with each purpose's limits; kOk when all pass.
// Then bounds on decode work, refused as kCorrupt: a JPEG with more than
// kMaxJpegScans scans, a PNG whose IDAT inflates past its declared size.
ImageVerdict ValidateImage(std::string_view bytes, Purpose purpose, ImageHeader* header,
                           std::string* detail);

// Decodes to 8-bit BGR with orientation applied; alpha is composited over white.
Result<cv::Mat> DecodeWithHeader(std::string_view bytes, const ImageHeader& header);

// Rotates/flips decoded pixels per an EXIF orientation value.
cv::Mat ApplyOrientation(const cv::Mat& img, int orientation);

}  // namespace facepass::vision
