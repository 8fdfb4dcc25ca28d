// Validation before decoding (size, magic bytes, header resolution, bombs), EXIF
// orientation, alpha and corrupt files. Needs no model.
#include <chrono>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "vision/engine.h"
#include "vision/image.h"
#include "hostile_images.h"
#include "support/time_scale.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

using testing::Encode;
using testing::WithExifOrientation;

// A test picture with distinct quadrants so that rotations are detectable.
cv::Mat Quadrants(int w, int h) {
  cv::Mat m(h, w, CV_8UC3, cv::Scalar(0, 0, 0));
  m(cv::Rect(0, 0, w / 2, h / 2)).setTo(cv::Scalar(0, 0, 255));      // top-left red
  m(cv::Rect(w / 2, 0, w - w / 2, h / 2)).setTo(cv::Scalar(0, 255, 0));  // top-right green
  m(cv::Rect(0, h / 2, w / 2, h - h / 2)).setTo(cv::Scalar(255, 0, 0));  // bottom-left blue
  m(cv::Rect(w / 2, h / 2, w - w / 2, h - h / 2)).setTo(cv::Scalar(255, 255, 255));
  return m;
}

ImageVerdict Verdict(const std::string& bytes, Purpose p, ImageHeader* h = nullptr) {
  std::string detail;
  ImageHeader local;
  return ValidateImage(bytes, p, h ? h : &local, &detail);
}

// A PNG that is only a signature and an IHDR claiming w x h: a decompression bomb is
// refused from this alone, without any pixel data.
std::string PngHeaderOnly(uint32_t w, uint32_t h) {
  std::string s("\x89PNG\r\n\x1a\n", 8);
  s += std::string("\x00\x00\x00\x0dIHDR", 8);
  for (uint32_t v : {w, h}) for (int k = 3; k >= 0; --k) s += char((v >> (8 * k)) & 0xFF);
  s += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  s += std::string(4, '\0');                     // CRC (not checked from the header)
  return s;
}

// Rewrites the SOF0 size of a real JPEG.
std::string JpegWithSize(std::string jpeg, int w, int h) {
  for (size_t i = 2; i + 9 < jpeg.size();) {
    uint8_t m = uint8_t(jpeg[i + 1]);
    size_t len = (uint8_t(jpeg[i + 2]) << 8) | uint8_t(jpeg[i + 3]);
    if (m == 0xC0 || m == 0xC2) {
      jpeg[i + 5] = char(h >> 8); jpeg[i + 6] = char(h & 0xFF);
      jpeg[i + 7] = char(w >> 8); jpeg[i + 8] = char(w & 0xFF);
      return jpeg;
    }
    i += 2 + len;
  }
  return jpeg;
}

TEST(ImageFormat, MagicBytesDecideTheFormat) {
  cv::Mat img = Quadrants(200, 160);
  ImageHeader h;
  EXPECT_EQ(Verdict(Encode(img, ".jpg"), Purpose::kEnrol, &h), ImageVerdict::kOk);
  EXPECT_EQ(h.format, "jpeg");
  EXPECT_EQ(Verdict(Encode(img, ".png"), Purpose::kEnrol, &h), ImageVerdict::kOk);
  EXPECT_EQ(h.format, "png");
  EXPECT_EQ(h.width, 200);
  EXPECT_EQ(h.height, 160);
  // BMP: compare and recognise only.
  std::string bmp = Encode(img, ".bmp");
  EXPECT_EQ(Verdict(bmp, Purpose::kEnrol, &h), ImageVerdict::kUnsupportedFormat);
  EXPECT_EQ(h.format, "bmp");
  EXPECT_EQ(Verdict(bmp, Purpose::kCompare), ImageVerdict::kOk);
  EXPECT_EQ(Verdict(bmp, Purpose::kRecognise), ImageVerdict::kOk);
  // GIF, WebP, SVG, garbage, empty: never.
  EXPECT_EQ(Verdict(std::string("GIF89a\x10\x00\x10\x00", 10) + std::string(100, '\0'), Purpose::kCompare),
            ImageVerdict::kUnsupportedFormat);
  EXPECT_EQ(Verdict(std::string("RIFF\x24\x00\x00\x00WEBPVP8 ", 16) + std::string(100, '\0'), Purpose::kCompare),
            ImageVerdict::kUnsupportedFormat);
  EXPECT_EQ(Verdict("<svg xmlns='http://www.w3.org/2000/svg'/>", Purpose::kCompare), ImageVerdict::kUnsupportedFormat);
  EXPECT_EQ(Verdict(std::string(1000, 'x'), Purpose::kRecognise), ImageVerdict::kUnsupportedFormat);
  EXPECT_EQ(Verdict("", Purpose::kEnrol), ImageVerdict::kUnsupportedFormat);
  // A file named .jpg holding PNG bytes is a PNG.
  EXPECT_EQ(Verdict(Encode(img, ".png"), Purpose::kEnrol, &h), ImageVerdict::kOk);
  EXPECT_EQ(h.format, "png");
}

TEST(ImageLimits, FileSizeIsCheckedFirst) {
  // 4 MiB + 1 of garbage: too large wins over the unknown format.
  std::string big(4 * 1024 * 1024 + 1, 'x');
  EXPECT_EQ(Verdict(big, Purpose::kEnrol), ImageVerdict::kFileTooLarge);
  EXPECT_EQ(Verdict(big, Purpose::kCompare), ImageVerdict::kFileTooLarge);
  EXPECT_EQ(Verdict(big, Purpose::kRecognise), ImageVerdict::kFileTooLarge);
  // A real JPEG just over 4 MiB (noise compresses badly).
  cv::Mat noise(1600, 1600, CV_8UC3);
  cv::randu(noise, 0, 256);
  std::string jpeg = Encode(noise, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 100});
  ASSERT_GT(jpeg.size(), 4u * 1024 * 1024);
  EXPECT_EQ(Verdict(jpeg, Purpose::kEnrol), ImageVerdict::kFileTooLarge);
}

TEST(ImageLimits, ResolutionPerPurpose) {
  EXPECT_EQ(Verdict(Encode(Quadrants(100, 100), ".png"), Purpose::kEnrol), ImageVerdict::kOk);
  EXPECT_EQ(Verdict(Encode(Quadrants(99, 300), ".png"), Purpose::kEnrol), ImageVerdict::kBadResolution);
  EXPECT_EQ(Verdict(Encode(Quadrants(300, 99), ".jpg"), Purpose::kEnrol), ImageVerdict::kBadResolution);
  EXPECT_EQ(Verdict(Encode(Quadrants(50, 50), ".png"), Purpose::kCompare), ImageVerdict::kOk);
  EXPECT_EQ(Verdict(Encode(Quadrants(49, 80), ".png"), Purpose::kCompare), ImageVerdict::kBadResolution);
  EXPECT_EQ(Verdict(Encode(Quadrants(32, 32), ".png"), Purpose::kRecognise), ImageVerdict::kOk);
  EXPECT_EQ(Verdict(Encode(Quadrants(31, 64), ".png"), Purpose::kRecognise), ImageVerdict::kBadResolution);
  // Area limits, read from the header only.
  EXPECT_EQ(Verdict(PngHeaderOnly(4096, 4096), Purpose::kEnrol), ImageVerdict::kCorrupt);  // passes the limit, no pixels
  EXPECT_EQ(Verdict(PngHeaderOnly(4097, 4096), Purpose::kEnrol), ImageVerdict::kBadResolution);
  EXPECT_EQ(Verdict(PngHeaderOnly(2560, 2560), Purpose::kCompare), ImageVerdict::kCorrupt);
  EXPECT_EQ(Verdict(PngHeaderOnly(2561, 2560), Purpose::kCompare), ImageVerdict::kBadResolution);
  EXPECT_EQ(Verdict(PngHeaderOnly(4097, 4096), Purpose::kRecognise), ImageVerdict::kBadResolution);
}

TEST(ImageLimits, DecompressionBombsAreRefusedFromTheHeader) {
  // PNG claiming 100000 x 100000 (10 Gpixel) and a JPEG claiming 65000 x 65000: both a few
  // hundred bytes, refused before any decoding.
  EXPECT_EQ(Verdict(PngHeaderOnly(100000, 100000), Purpose::kEnrol), ImageVerdict::kBadResolution);
  std::string jpeg = JpegWithSize(Encode(Quadrants(120, 120), ".jpg"), 65000, 65000);
  ImageHeader h;
  EXPECT_EQ(Verdict(jpeg, Purpose::kRecognise, &h), ImageVerdict::kBadResolution);
  EXPECT_EQ(h.width, 65000);
  // The engine-free decoder refuses it as well.
  EXPECT_FALSE(DecodeUpright(jpeg).ok());
}

TEST(ImageCorrupt, TruncatedAndGarbledFiles) {
  cv::Mat img = Quadrants(300, 200);
  std::string jpeg = Encode(img, ".jpg");
  EXPECT_EQ(Verdict(jpeg.substr(0, jpeg.size() / 2), Purpose::kEnrol), ImageVerdict::kCorrupt);
  EXPECT_EQ(Verdict(jpeg.substr(0, 20), Purpose::kEnrol), ImageVerdict::kCorrupt);  // header cut
  std::string png = Encode(img, ".png");
  EXPECT_EQ(Verdict(png.substr(0, png.size() / 2), Purpose::kEnrol), ImageVerdict::kCorrupt);
  // Header fine, pixels garbage: the IDAT walk already finds the deflate stream
  // broken (issue 13), and decoding fails too.
  std::string garbled = png;
  for (size_t i = 60; i + 20 < garbled.size(); ++i) garbled[i] = char(i * 31);
  ImageHeader h;
  ASSERT_EQ(Verdict(garbled, Purpose::kEnrol, &h), ImageVerdict::kCorrupt);
  EXPECT_FALSE(DecodeWithHeader(garbled, h).ok());
}

TEST(ImageExif, OpenCvImdecodeBehaviourIsKnown) {
  // Recorded fact: does this OpenCV's imdecode(IMREAD_COLOR) apply EXIF orientation?
  // Either way the engine decodes with IMREAD_IGNORE_ORIENTATION and rotates itself, so
  // this test only documents the library (docs/models.md).
  cv::Mat stored = Quadrants(240, 120);
  std::string jpeg = WithExifOrientation(Encode(stored, ".jpg"), 6);
  std::vector<uchar> buf(jpeg.begin(), jpeg.end());
  cv::Mat d = cv::imdecode(buf, cv::IMREAD_COLOR);
  ASSERT_FALSE(d.empty());
  bool rotates = d.cols == 120 && d.rows == 240;
  RecordProperty("imdecode_applies_exif", rotates ? "yes" : "no");
  std::printf("OpenCV %s imdecode(IMREAD_COLOR) applies EXIF orientation: %s\n", CV_VERSION, rotates ? "yes" : "no");
  cv::Mat ignored = cv::imdecode(buf, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  EXPECT_EQ(ignored.cols, 240);
}

TEST(ImageExif, EveryOrientationDecodesUpright) {
  cv::Mat upright = Quadrants(240, 120);
  // How each orientation's stored pixels relate to the upright picture.
  for (int o = 1; o <= 8; ++o) {
    cv::Mat stored;
    switch (o) {
      case 1: stored = upright.clone(); break;
      case 2: cv::flip(upright, stored, 1); break;
      case 3: cv::rotate(upright, stored, cv::ROTATE_180); break;
      case 4: cv::flip(upright, stored, 0); break;
      case 5: cv::transpose(upright, stored); break;
      case 6: cv::rotate(upright, stored, cv::ROTATE_90_COUNTERCLOCKWISE); break;
      case 7: cv::rotate(upright, stored, cv::ROTATE_90_COUNTERCLOCKWISE); cv::flip(stored, stored, 1); break;
      case 8: cv::rotate(upright, stored, cv::ROTATE_90_CLOCKWISE); break;
    }
    for (bool be : {false, true}) {
      std::string jpeg = WithExifOrientation(Encode(stored, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95}), o, be);
      ImageHeader h;
      ASSERT_EQ(Verdict(jpeg, Purpose::kEnrol, &h), ImageVerdict::kOk) << o;
      EXPECT_EQ(h.orientation, o);
      EXPECT_EQ(h.upright_width(), 240) << "orientation " << o;
      EXPECT_EQ(h.upright_height(), 120) << "orientation " << o;
      auto d = DecodeUpright(jpeg);
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      ASSERT_EQ(d.value().size(), upright.size()) << "orientation " << o;
      cv::Mat diff;
      cv::absdiff(d.value(), upright, diff);
      EXPECT_LT(cv::mean(diff)[0], 8.0) << "orientation " << o;
    }
  }
}

TEST(ImageExif, ResolutionLimitUsesUprightSidesAndArea) {
  // Stored 300x90 with orientation 6 is upright 90x300: still one side < 100 for enrol.
  std::string jpeg = WithExifOrientation(Encode(Quadrants(300, 90), ".jpg"), 6);
  ImageHeader h;
  EXPECT_EQ(Verdict(jpeg, Purpose::kEnrol, &h), ImageVerdict::kBadResolution);
  EXPECT_EQ(h.upright_width(), 90);
  EXPECT_EQ(h.upright_height(), 300);
}

TEST(ImageAlpha, RgbaPngIsCompositedOverWhite) {
  cv::Mat rgba(120, 160, CV_8UC4, cv::Scalar(0, 0, 0, 0));  // transparent black
  rgba(cv::Rect(0, 0, 80, 120)).setTo(cv::Scalar(0, 0, 255, 255));  // opaque red half
  std::string png = Encode(rgba, ".png");
  ImageHeader h;
  ASSERT_EQ(Verdict(png, Purpose::kEnrol, &h), ImageVerdict::kOk);
  EXPECT_TRUE(h.has_alpha);
  auto d = DecodeUpright(png);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.value().type(), CV_8UC3);
  EXPECT_EQ(d.value().at<cv::Vec3b>(10, 10), cv::Vec3b(0, 0, 255));
  EXPECT_EQ(d.value().at<cv::Vec3b>(10, 150), cv::Vec3b(255, 255, 255));
}

TEST(ImageAlpha, GreyAndSixteenBitPngs) {
  cv::Mat grey(120, 160, CV_8UC1, cv::Scalar(77));
  auto d = DecodeUpright(Encode(grey, ".png"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().type(), CV_8UC3);
  cv::Mat deep(120, 160, CV_16UC3, cv::Scalar(65535, 0, 32768));
  d = DecodeUpright(Encode(deep, ".png"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().type(), CV_8UC3);
  EXPECT_EQ(d.value().at<cv::Vec3b>(5, 5)[0], 255);
}

TEST(ImageDevPhotos, AllDecodeAndValidateForRecognise) {
  FP_REQUIRE_FACES();
  for (const char* p : {"obama/1.jpg", "alex_lacamoire/3-rgba.png", "obama/rgba-32bit.png", "obama/video-240p.jpg",
                        "lin_manuel_miranda/1-rgba.png"}) {
    std::string bytes = testing::Photo(p);
    ImageHeader h;
    EXPECT_EQ(Verdict(bytes, Purpose::kRecognise, &h), ImageVerdict::kOk) << p;
    auto d = DecodeUpright(bytes);
    ASSERT_TRUE(d.ok()) << p;
    EXPECT_EQ(d.value().cols, h.upright_width()) << p;
  }
}

TEST(ImageEncode, JpegRoundTrip) {
  auto j = EncodeJpeg(Quadrants(64, 48), 90);
  ASSERT_TRUE(j.ok());
  ImageHeader h;
  ASSERT_TRUE(ReadImageHeader(j.value(), &h));
  EXPECT_EQ(h.format, "jpeg");
  EXPECT_EQ(h.width, 64);
}

}  // namespace
}  // namespace facepass::vision

namespace facepass::vision {
namespace {

// Mutated and truncated files never crash the header parser or the decoder (run
// under -fsanitize=address,undefined to catch out-of-bounds reads).
TEST(ImageRobustness, MutatedFilesAreHandled) {
  cv::Mat img(120, 140, CV_8UC3);
  cv::randu(img, 0, 256);
  std::vector<std::string> seeds = {
      testing::WithExifOrientation(testing::Encode(img, ".jpg"), 6), testing::Encode(img, ".png"),
      testing::Encode(img, ".bmp")};
  cv::RNG rng(1234);
  int decoded = 0;
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 300; ++round) {
      std::string b = seed;
      if (round % 3 == 0) b.resize(size_t(rng.uniform(0, int(b.size()))));
      int flips = rng.uniform(1, 8);
      for (int k = 0; k < flips && !b.empty(); ++k) {
        // Mostly in the headers, where the parsing is.
        size_t at = size_t(rng.uniform(0, std::min<int>(int(b.size()), round % 2 ? 200 : int(b.size()))));
        b[at] = char(rng.uniform(0, 256));
      }
      for (Purpose p : {Purpose::kEnrol, Purpose::kCompare}) {
        ImageHeader h;
        std::string detail;
        if (ValidateImage(b, p, &h, &detail) == ImageVerdict::kOk) decoded += DecodeWithHeader(b, h).ok();
      }
      (void)DecodeUpright(b);
    }
  }
  EXPECT_GT(decoded, 0);
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Issue 13, finding 1: decode work grows per scan; the header walk counts them.
TEST(ImageWorkBounds, JpegWithThousandsOfScansIsRefusedBeforeDecoding) {
  std::string ok = testing::ProgressiveJpegWithScans(256, 256, 1);
  ImageHeader h;
  EXPECT_EQ(Verdict(ok, Purpose::kRecognise, &h), ImageVerdict::kOk);
  EXPECT_GT(h.scans, 1);  // OpenCV's progressive encoder writes several
  EXPECT_LE(h.scans, kMaxJpegScans);
  EXPECT_TRUE(DecodeWithHeader(ok, h).ok());
  std::string at_bound = testing::ProgressiveJpegWithScans(256, 256, kMaxJpegScans);
  EXPECT_EQ(Verdict(at_bound, Purpose::kRecognise, &h), ImageVerdict::kOk);
  EXPECT_EQ(h.scans, kMaxJpegScans);

  std::string hostile = testing::ProgressiveJpegWithScans(1024, 1024, 5000);
  auto t0 = std::chrono::steady_clock::now();
  std::string detail;
  for (Purpose p : {Purpose::kEnrol, Purpose::kCompare, Purpose::kRecognise}) {
    EXPECT_EQ(ValidateImage(hostile, p, &h, &detail), ImageVerdict::kCorrupt) << PurposeName(p);
    EXPECT_EQ(h.scans, 5000);
    EXPECT_NE(detail.find("5000 scans"), std::string::npos) << detail;
  }
  EXPECT_LT(MsSince(t0), 500 * facepass::testing::TimeScale());
}

// Issue 13, finding 2: a small IDAT inflating to far more than the header declares.
TEST(ImageWorkBounds, PngWhoseIdatInflatesPastItsSizeIsRefusedQuickly) {
  // 1000x1000 RGB declares 3,001,000 raw bytes.
  std::string exact = testing::PngZlibBomb(1000, 1000, 1000ull * (1 + 3 * 1000));
  ImageHeader h;
  EXPECT_EQ(Verdict(exact, Purpose::kEnrol, &h), ImageVerdict::kOk);
  EXPECT_TRUE(DecodeWithHeader(exact, h).ok());

  std::string bomb = testing::PngZlibBomb(1000, 1000, 1ull << 28);  // 256 MiB of zeros
  EXPECT_LT(bomb.size(), 4u << 20);  // within the upload limit
  auto t0 = std::chrono::steady_clock::now();
  std::string detail;
  EXPECT_EQ(ValidateImage(bomb, Purpose::kEnrol, &h, &detail), ImageVerdict::kCorrupt);
  EXPECT_NE(detail.find("inflates past"), std::string::npos) << detail;
  EXPECT_LT(MsSince(t0), 500 * facepass::testing::TimeScale());

  // Real encoder output of every colour type and depth stays accepted.
  cv::Mat rgb(300, 200, CV_8UC3), grey(300, 200, CV_8UC1), rgba(300, 200, CV_8UC4), deep(300, 200, CV_16UC3);
  for (cv::Mat* m : {&rgb, &grey, &rgba, &deep}) {
    cv::randu(*m, 0, m->depth() == CV_16U ? 65535 : 255);
    EXPECT_EQ(Verdict(testing::Encode(*m, ".png"), Purpose::kEnrol), ImageVerdict::kOk) << m->type();
  }
  // A corrupt deflate stream is refused as corrupt, not handed to the decoder.
  std::string garbled = exact;
  for (size_t i = 60; i < 80; ++i) garbled[i] = char(0xFF);
  EXPECT_EQ(Verdict(garbled, Purpose::kEnrol), ImageVerdict::kCorrupt);
}

}  // namespace
}  // namespace facepass::vision
