// Each converted ONNX model (models/*.onnx), run by OpenCV's DNN module,
// must reproduce what the original TF.js model computed on the same input
// (models/reference/*, written by tools/tfjs_reference/run.js).
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kModelsDir = FACEPASS_MODELS_DIR;

// The fixed set of models FacePass uses; names are the ONNX file names.
const char* const kModels[] = {"blazeface", "facemesh", "faceres", "antispoof", "liveness", "faceapi_recognition"};

constexpr double kMinCosine = 0.9999;
// Max abs diff allowed, relative to the largest |value| of the output (at least 1).
constexpr double kMaxRelAbsDiff = 1e-4;

std::vector<float> ReadFloats(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto bytes = static_cast<size_t>(in.tellg());
  in.seekg(0);
  std::vector<float> v(bytes / sizeof(float));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  return v;
}

struct Agreement {
  double cosine = 0;
  double max_abs_diff = 0;
  double max_abs_ref = 0;
};

Agreement Compare(const float* got, const float* want, size_t n) {
  double dot = 0, ng = 0, nw = 0;
  Agreement a;
  for (size_t i = 0; i < n; ++i) {
    dot += double(got[i]) * want[i];
    ng += double(got[i]) * got[i];
    nw += double(want[i]) * want[i];
    a.max_abs_diff = std::max(a.max_abs_diff, std::abs(double(got[i]) - want[i]));
    a.max_abs_ref = std::max(a.max_abs_ref, std::abs(double(want[i])));
  }
  // Both all-zero: identical. Otherwise the usual cosine.
  a.cosine = (ng == 0 && nw == 0) ? 1.0 : dot / (std::sqrt(ng) * std::sqrt(nw) + 1e-300);
  return a;
}

class ModelAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelAgreement, MatchesTfjs) {
  const std::string model = GetParam();
  const fs::path onnx = kModelsDir / (model + ".onnx");
  const fs::path meta_path = kModelsDir / "reference" / (model + ".json");
  if (!fs::exists(onnx) || !fs::exists(meta_path)) {
    GTEST_SKIP() << "no " << onnx << " or " << meta_path
                 << ": run scripts/fetch-models.sh first to fetch and convert the models";
  }
  json meta;
  {
    std::ifstream in(meta_path);
    ASSERT_TRUE(in) << meta_path;
    in >> meta;
  }
  const std::vector<int> shape = meta["input"]["shape"].get<std::vector<int>>();  // NHWC
  ASSERT_EQ(shape.size(), 4u);
  const int h = shape[1], w = shape[2], c = shape[3];
  const std::vector<float> input = ReadFloats(kModelsDir / "reference" / (model + ".input.bin"));
  ASSERT_EQ(input.size(), size_t(h) * w * c) << "reference input size";
  const std::vector<float> expected = ReadFloats(kModelsDir / "reference" / (model + ".output.bin"));

  // NHWC -> NCHW blob, what cv::dnn::blobFromImage produces from an RGB image.
  const int dims[4] = {1, c, h, w};
  cv::Mat blob(4, dims, CV_32F);
  float* dst = blob.ptr<float>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) dst[(size_t(k) * h + y) * w + x] = input[(size_t(y) * w + x) * c + k];

  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.string());
  ASSERT_FALSE(net.empty()) << onnx;
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);

  std::vector<std::string> names;
  for (const auto& o : meta["outputs"]) names.push_back(o["name"].get<std::string>());
  std::vector<cv::Mat> outs;
  net.setInput(blob);
  net.forward(outs, names);  // first run (allocations, layer fusion)
  const auto t0 = std::chrono::steady_clock::now();
  net.setInput(blob);
  net.forward(outs, names);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(outs.size(), names.size());

  for (size_t i = 0; i < names.size(); ++i) {
    const auto& o = meta["outputs"][i];
    const size_t offset = o["offset"].get<size_t>();
    const size_t count = o["count"].get<size_t>();
    ASSERT_LE(offset + count, expected.size()) << "reference output file too short";
    cv::Mat got = outs[i];
    ASSERT_TRUE(got.isContinuous());
    ASSERT_EQ(got.type(), CV_32F);
    ASSERT_EQ(got.total(), count) << model << " output " << names[i];
    const Agreement a = Compare(got.ptr<float>(), expected.data() + offset, count);
    std::printf("AGREEMENT %-20s %-22s n=%-6zu cosine=%.9f max_abs_diff=%.3g max_abs_ref=%.3g forward_ms=%.1f\n",
                model.c_str(), names[i].c_str(), count, a.cosine, a.max_abs_diff, a.max_abs_ref, ms);
    RecordProperty(names[i] + "_cosine", std::to_string(a.cosine));
    RecordProperty(names[i] + "_max_abs_diff", std::to_string(a.max_abs_diff));
    EXPECT_GE(a.cosine, kMinCosine) << model << " " << names[i];
    EXPECT_LE(a.max_abs_diff, kMaxRelAbsDiff * std::max(1.0, a.max_abs_ref)) << model << " " << names[i];
  }
}

// The ONNX input is NCHW [1,3,H,W] so that blobFromImage feeds it directly.
TEST_P(ModelAgreement, RunsOnBlobFromImage) {
  const std::string model = GetParam();
  const fs::path onnx = kModelsDir / (model + ".onnx");
  const fs::path meta_path = kModelsDir / "reference" / (model + ".json");
  if (!fs::exists(onnx) || !fs::exists(meta_path)) {
    GTEST_SKIP() << "no " << onnx << ": run scripts/fetch-models.sh first";
  }
  std::ifstream in(meta_path);
  ASSERT_TRUE(in) << meta_path;
  json meta;
  in >> meta;
  const auto s = meta["input"]["shape"].get<std::vector<int>>();
  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.string());
  ASSERT_FALSE(net.empty()) << model;
  cv::Mat img(s[1], s[2], CV_8UC3, cv::Scalar(10, 120, 230));
  cv::Mat blob = cv::dnn::blobFromImage(img, 1.0 / 255, cv::Size(), cv::Scalar(), /*swapRB=*/true);
  ASSERT_EQ(blob.size[1], 3);
  ASSERT_EQ(blob.size[2], s[1]);
  ASSERT_EQ(blob.size[3], s[2]);
  net.setInput(blob);
  std::vector<std::string> names;
  for (const auto& o : meta["outputs"]) names.push_back(o["name"].get<std::string>());
  std::vector<cv::Mat> outs;
  ASSERT_NO_THROW(net.forward(outs, names)) << model;
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].total(), meta["outputs"][i]["count"].get<size_t>()) << model << " " << names[i];
    EXPECT_TRUE(cv::checkRange(outs[i])) << model << " " << names[i] << " has NaN/Inf";
  }
}

// Test names start with models_ so that `ctest -R models_` selects them.
INSTANTIATE_TEST_SUITE_P(models_agreement, ModelAgreement,
                         ::testing::ValuesIn(std::vector<std::string>(std::begin(kModels), std::end(kModels))),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
