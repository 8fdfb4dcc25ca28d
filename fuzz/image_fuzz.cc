// Uploaded images: magic bytes, header walk, EXIF orientation, the size/area
// limits and the work bounds for every purpose, then the decode (OpenCV, not
// instrumented) of what validation lets through. Decoding is skipped above
// 1 MP so that an exec stays in milliseconds; validation never is.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <opencv2/core/utility.hpp>

#include "vision/image.h"

using namespace facepass::vision;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool init = [] {
    cv::setNumThreads(0);
    cv::redirectError([](int, const char*, const char*, const char*, int, void*) { return 0; });
    return true;
  }();
  (void)init;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ImageHeader header;
  bool decode = false;
  for (Purpose p : {Purpose::kEnrol, Purpose::kCompare, Purpose::kRecognise}) {
    std::string detail;
    ImageVerdict v = ValidateImage(in, p, &header, &detail);
    if (v == ImageVerdict::kOk) {
      if (header.orientation < 1 || header.orientation > 8 || header.width <= 0 || header.height <= 0)
        __builtin_trap();
      decode = decode || (long long)header.width * header.height <= 1024 * 1024;
    }
  }
  if (decode) {
    facepass::Result<cv::Mat> img = DecodeWithHeader(in, header);
    if (img.ok() && (img->cols != header.upright_width() || img->rows != header.upright_height()))
      __builtin_trap();
  }
  return 0;
}
