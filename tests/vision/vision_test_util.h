// Helpers shared by the vision tests: dev photos, models, synthetic images.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/engine.h"
#include "vision/network.h"

namespace facepass::vision::testing {

inline std::filesystem::path FacesDir() { return std::filesystem::path(FACEPASS_SHARED_DIR) / "faces"; }
inline std::filesystem::path ModelsDir() { return FACEPASS_MODELS_DIR; }

// Model classes made outside the engine on runtime `kind` (nullopt: the default, ONNX
// Runtime when its library loads, else OpenCV); an error when that runtime is unavailable.
inline Result<LoadOptions> LoadOn(std::optional<RuntimeKind> kind, int concurrency = 1) {
  RuntimeOptions o;
  o.kind = kind;
  FP_ASSIGN_OR_RETURN(auto rt, OpenRuntime(o));
  return LoadOptions{rt.runtime, concurrency};
}
inline LoadOptions DefaultLoad(int concurrency = 1) { return LoadOn(std::nullopt, concurrency).value(); }

inline bool HaveFaces() { return std::filesystem::exists(FacesDir() / "faces.csv"); }
inline bool HaveModels() {
  for (const char* f : {"blazeface.onnx", "facemesh.onnx", "arcface.onnx"})
    if (!std::filesystem::exists(ModelsDir() / f)) return false;
  return true;
}

#define FP_REQUIRE_FACES() \
  if (!::facepass::vision::testing::HaveFaces()) GTEST_SKIP() << "dev photos absent: " << ::facepass::vision::testing::FacesDir()
#define FP_REQUIRE_MODELS() \
  if (!::facepass::vision::testing::HaveModels()) GTEST_SKIP() << "models absent (run scripts/fetch-models.sh): " << ::facepass::vision::testing::ModelsDir()

inline std::string ReadBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline std::string Photo(const std::string& rel) { return ReadBytes(FacesDir() / rel); }

inline std::string Encode(const cv::Mat& img, const std::string& ext, std::vector<int> params = {}) {
  std::vector<uchar> buf;
  cv::imencode(ext, img, buf, params);
  return std::string(buf.begin(), buf.end());
}

// Inserts an APP1 Exif segment holding only IFD0 Orientation right after SOI.
inline std::string WithExifOrientation(const std::string& jpeg, int orientation, bool big_endian = false) {
  std::string tiff;
  auto u16 = [&](int v) {
    if (big_endian) { tiff += char((v >> 8) & 0xFF); tiff += char(v & 0xFF); }
    else { tiff += char(v & 0xFF); tiff += char((v >> 8) & 0xFF); }
  };
  auto u32 = [&](uint32_t v) {
    if (big_endian) { u16(int(v >> 16)); u16(int(v & 0xFFFF)); }
    else { u16(int(v & 0xFFFF)); u16(int(v >> 16)); }
  };
  tiff += big_endian ? "MM" : "II";
  u16(42);
  u32(8);         // IFD0 offset
  u16(1);         // one entry
  u16(0x0112);    // Orientation
  u16(3);         // SHORT
  u32(1);         // count
  u16(orientation);
  u16(0);         // padding of the 4-byte value field
  u32(0);         // no next IFD
  std::string body = std::string("Exif\0\0", 6) + tiff;
  size_t len = body.size() + 2;
  std::string seg = "\xFF\xE1";
  seg += char((len >> 8) & 0xFF);
  seg += char(len & 0xFF);
  seg += body;
  return jpeg.substr(0, 2) + seg + jpeg.substr(2);
}

inline constexpr int kSyntheticFaceBox[4] = {100, 90, 220, 250};  // left, top, right, bottom

// A deterministic stand-in for a face photo: a skin-toned ellipse with eyes and mouth on
// a smooth background, plus seeded noise. The face lies in kSyntheticFaceBox.
inline cv::Mat SyntheticFace() {
  cv::Mat img(320, 320, CV_8UC3);
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(60 + x / 4), uchar(90 + y / 5), 120);
  cv::ellipse(img, cv::Point(160, 165), cv::Size(60, 78), 0, 0, 360, cv::Scalar(120, 150, 200), cv::FILLED);
  cv::circle(img, cv::Point(138, 145), 8, cv::Scalar(40, 30, 30), cv::FILLED);
  cv::circle(img, cv::Point(182, 145), 8, cv::Scalar(40, 30, 30), cv::FILLED);
  cv::ellipse(img, cv::Point(160, 200), cv::Size(22, 8), 0, 0, 360, cv::Scalar(80, 80, 170), cv::FILLED);
  cv::Mat noise(img.size(), CV_8UC3);
  cv::RNG rng(12345);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 24);
  img += noise;
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.5);
  return img;
}

// One engine for the whole test binary (model loading takes a while).
inline const Engine* SharedEngine() {
  static std::once_flag once;
  static std::unique_ptr<Engine> engine;
  std::call_once(once, [] {
    EngineOptions o;
    o.models_dir = ModelsDir();
    o.pool_size = 4;
    auto e = Engine::Create(o);
    if (e.ok()) engine = std::move(e.value());
    else ADD_FAILURE() << e.status().ToString();
  });
  return engine.get();
}

}  // namespace facepass::vision::testing
