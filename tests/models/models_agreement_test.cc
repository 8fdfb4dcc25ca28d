// Each converted ONNX model (models/*.onnx), run by each inference runtime (ONNX
// Runtime and OpenCV's DNN module, through vision::Network as the engine runs them),
// must reproduce what the original TF.js model computed on the same input
// (models/reference/*, written by tools/tfjs_reference/run.js), and the I/O
// documented in docs/model-conversion.md must make sense on real photos.
// Everything is skipped when scripts/fetch-models.sh has not been run.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <nlohmann/json.hpp>

#include "vision/network.h"
#include "vision/vision_test_util.h"

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

using facepass::vision::RuntimeKind;

// The model on the runtime, as the engine loads it; the test is skipped when ONNX
// Runtime's library is absent (scripts/fetch-onnxruntime.sh).
#define LOAD_OR_SKIP(net, onnx, kind)                                                 \
  auto net##_load = facepass::vision::testing::LoadOn(kind);                         \
  if (!net##_load.ok()) GTEST_SKIP() << net##_load.status().ToString();               \
  auto net##_made = facepass::vision::Network::Load(*net##_load, onnx);               \
  ASSERT_TRUE(net##_made.ok()) << net##_made.status().ToString();                    \
  const auto& net = *net##_made

class ModelAgreement : public ::testing::TestWithParam<std::tuple<std::string, RuntimeKind>> {};

TEST_P(ModelAgreement, MatchesTfjs) {
  const std::string model = std::get<0>(GetParam());
  const RuntimeKind kind = std::get<1>(GetParam());
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

  LOAD_OR_SKIP(net, onnx, kind);
  std::vector<std::string> names;
  for (const auto& o : meta["outputs"]) names.push_back(o["name"].get<std::string>());
  std::vector<cv::Mat> outs;
  ASSERT_TRUE(net->Run(blob, names, &outs).ok());  // first run (allocations, layer fusion)
  const auto t0 = std::chrono::steady_clock::now();
  const auto ran = net->Run(blob, names, &outs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
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
    std::printf("AGREEMENT %-11s %-20s %-22s n=%-6zu cosine=%.9f max_abs_diff=%.3g max_abs_ref=%.3g forward_ms=%.1f\n",
                facepass::vision::RuntimeName(kind), model.c_str(), names[i].c_str(), count, a.cosine, a.max_abs_diff,
                a.max_abs_ref, ms);
    RecordProperty(names[i] + "_cosine", std::to_string(a.cosine));
    RecordProperty(names[i] + "_max_abs_diff", std::to_string(a.max_abs_diff));
    EXPECT_GE(a.cosine, kMinCosine) << model << " " << names[i];
    EXPECT_LE(a.max_abs_diff, kMaxRelAbsDiff * std::max(1.0, a.max_abs_ref)) << model << " " << names[i];
  }
}

// The ONNX input is NCHW [1,3,H,W] so that blobFromImage feeds it directly.
TEST_P(ModelAgreement, RunsOnBlobFromImage) {
  const std::string model = std::get<0>(GetParam());
  const RuntimeKind kind = std::get<1>(GetParam());
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
  LOAD_OR_SKIP(net, onnx, kind);
  cv::Mat img(s[1], s[2], CV_8UC3, cv::Scalar(10, 120, 230));
  cv::Mat blob = cv::dnn::blobFromImage(img, 1.0 / 255, cv::Size(), cv::Scalar(), /*swapRB=*/true);
  ASSERT_EQ(blob.size[1], 3);
  ASSERT_EQ(blob.size[2], s[1]);
  ASSERT_EQ(blob.size[3], s[2]);
  std::vector<std::string> names;
  for (const auto& o : meta["outputs"]) names.push_back(o["name"].get<std::string>());
  std::vector<cv::Mat> outs;
  const auto ran = net->Run(blob, names, &outs);
  ASSERT_TRUE(ran.ok()) << model << ": " << ran.ToString();
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].total(), meta["outputs"][i]["count"].get<size_t>()) << model << " " << names[i];
    EXPECT_TRUE(cv::checkRange(outs[i])) << model << " " << names[i] << " has NaN/Inf";
  }
}

// Test names start with models_ so that `ctest -R models_` selects them.
INSTANTIATE_TEST_SUITE_P(models_agreement, ModelAgreement,
                         ::testing::Combine(::testing::ValuesIn(std::vector<std::string>(std::begin(kModels), std::end(kModels))),
                                            ::testing::Values(RuntimeKind::kOnnxRuntime, RuntimeKind::kOpenCv)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" +
                                  facepass::vision::RuntimeName(std::get<1>(info.param));
                         });

// The documented I/O (docs/model-conversion.md) on real photos: with the
// preprocessing described there, blazeface finds faces in face-api's demo
// photos and facemesh confirms the best one. Catches a wrong value range or
// output reading that synthetic agreement inputs cannot.
float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

struct Face {
  float score;
  cv::Rect2f box;  // in image pixels
};

// Best blazeface detection of an image letterboxed (top-left) to a square.
Face BestBlazeface(cv::dnn::Net& net, const cv::Mat& bgr) {
  const int side = std::max(bgr.cols, bgr.rows);
  cv::Mat square(side, side, CV_8UC3, cv::Scalar::all(0));
  bgr.copyTo(square(cv::Rect(0, 0, bgr.cols, bgr.rows)));
  net.setInput(cv::dnn::blobFromImage(square, 1 / 127.5, cv::Size(256, 256), cv::Scalar::all(127.5), true));
  std::vector<cv::Mat> o;
  net.forward(o, std::vector<std::string>{"Identity", "Identity_1", "Identity_2", "Identity_3"});
  Face best{0.f, {}};
  const float k = side / 256.f;
  int row = 0;
  const int strides[2] = {16, 32}, per_cell[2] = {2, 6};
  for (int level = 0; level < 2; ++level) {
    const float* scores = o[level].ptr<float>();
    const float* regs = o[level + 2].ptr<float>();
    const int grid = 256 / strides[level];
    int i = 0;
    for (int gy = 0; gy < grid; ++gy)
      for (int gx = 0; gx < grid; ++gx)
        for (int a = 0; a < per_cell[level]; ++a, ++i, ++row) {
          const float s = Sigmoid(scores[i]);
          if (s <= best.score) continue;
          const float* r = regs + i * 16;
          const float cx = (strides[level] * (gx + 0.5f) + r[0]) * k, cy = (strides[level] * (gy + 0.5f) + r[1]) * k;
          const float w = r[2] * k, h = r[3] * k;
          best = {s, cv::Rect2f(cx - w / 2, cy - h / 2, w, h)};
        }
  }
  EXPECT_EQ(row, 896);
  return best;
}

TEST(models_semantics, DemoPhotos) {
  const fs::path photos = fs::path(FACEPASS_SOURCE_DIR) / ".cache" / "npm" / "face-api-demo";
  if (!fs::exists(kModelsDir / "blazeface.onnx") || !fs::exists(photos / "sample1.jpg")) {
    GTEST_SKIP() << "run scripts/fetch-models.sh first (models and face-api demo photos)";
  }
  cv::dnn::Net detector = cv::dnn::readNetFromONNX((kModelsDir / "blazeface.onnx").string());
  cv::dnn::Net mesh = cv::dnn::readNetFromONNX((kModelsDir / "facemesh.onnx").string());
  cv::dnn::Net res = cv::dnn::readNetFromONNX((kModelsDir / "faceres.onnx").string());

  // A blank image holds no face.
  const Face none = BestBlazeface(detector, cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(128)));
  EXPECT_LT(none.score, 0.5f);

  for (int n = 1; n <= 6; ++n) {
    const fs::path file = photos / ("sample" + std::to_string(n) + ".jpg");
    const cv::Mat img = cv::imread(file.string());
    ASSERT_FALSE(img.empty()) << file;
    const Face f = BestBlazeface(detector, img);
    EXPECT_GT(f.score, 0.75f) << file;
    EXPECT_GT(f.box.width, 50.f) << file;
    // Human's crop for the mesh: the box enlarged 1.4x, squared.
    const float side = 1.4f * std::max(f.box.width, f.box.height);
    const cv::Point2f c(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
    const cv::Rect crop = cv::Rect(cv::Rect2f(c.x - side / 2, c.y - side / 2, side, side)) & cv::Rect(0, 0, img.cols, img.rows);
    mesh.setInput(cv::dnn::blobFromImage(img(crop), 1 / 255.0, cv::Size(192, 192), cv::Scalar(), true));
    std::vector<cv::Mat> mo;
    mesh.forward(mo, std::vector<std::string>{"Identity_1", "Identity_2"});
    EXPECT_GT(mo[0].at<float>(0), 0.9f) << file << ": facemesh face flag";
    res.setInput(cv::dnn::blobFromImage(img(crop), 1.0, cv::Size(224, 224), cv::Scalar(), true));
    std::vector<cv::Mat> ro;
    res.forward(ro, std::vector<std::string>{"age_pred/Softmax", "gender_pred/Sigmoid", "global_pooling/Mean"});
    EXPECT_NEAR(cv::sum(ro[0])[0], 1.0, 1e-4);
    std::printf("SEMANTICS %s: blazeface %.3f box %.0fx%.0f, facemesh flag %.3f, faceres gender %.3f\n",
                file.filename().c_str(), f.score, f.box.width, f.box.height, mo[0].at<float>(0), ro[1].at<float>(0));
  }
}

}  // namespace
