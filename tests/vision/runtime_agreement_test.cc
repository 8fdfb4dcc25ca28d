// The two inference runtimes give the same answers, model by model, on every dev
// photo (../shared/faces): boxes within 1 px, mesh points within 1 px, features at
// cosine >= 0.9999, liveness within 0.5 points. Each later model gets the same input
// on both runtimes (OpenCV's face and mesh), so a difference is that model's own.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dataset.h"
#include "vision/detector.h"
#include "vision/embedder.h"
#include "vision/fp_liveness.h"
#include "vision/landmarks.h"
#include "vision/liveness.h"
#include "vision_test_util.h"

namespace facepass::vision {
namespace {

constexpr double kMinCosine = 0.9999;
constexpr int kMaxBoxPx = 1;
constexpr double kMaxMeshPx = 1.0;
constexpr double kMaxLivenessPoints = 0.5;  // on the 0..100 scale

struct Models {
  std::unique_ptr<Detector> detector;
  std::unique_ptr<FaceMesh> mesh;
  std::vector<std::pair<std::string, std::unique_ptr<Embedder>>> embedders;
  std::unique_ptr<Liveness> pair;
  std::unique_ptr<FpLiveness> fp;
};

// Every model the engine can run whose file is present, on one runtime.
Result<Models> Load(RuntimeKind kind) {
  RuntimeOptions ro;
  ro.kind = kind;
  FP_ASSIGN_OR_RETURN(auto rt, OpenRuntime(ro));
  const LoadOptions load{rt.runtime, 1};
  const auto dir = testing::ModelsDir();
  Models m;
  FP_ASSIGN_OR_RETURN(m.detector, Detector::Create(DetectorConfig{}, dir / "blazeface.onnx", load));
  FP_ASSIGN_OR_RETURN(m.mesh, FaceMesh::Create(dir / "facemesh.onnx", load));
  const std::pair<const char*, const char*> embedders[] = {
      {"arcface", "arcface.onnx"}, {"arcface", "mobilefacenet.onnx"}, {"faceapi", "faceapi_recognition.onnx"},
      {"faceres", "faceres.onnx"}};
  for (const auto& [kind_name, file] : embedders) {
    if (!std::filesystem::exists(dir / file)) continue;
    EmbedderConfig cfg;
    cfg.kind = kind_name;
    FP_ASSIGN_OR_RETURN(auto e, Embedder::Create(cfg, dir / file, load));
    m.embedders.emplace_back(file, std::move(e));
  }
  FP_ASSIGN_OR_RETURN(m.pair, Liveness::Create(dir / "antispoof.onnx", dir / "liveness.onnx", load));
  FP_ASSIGN_OR_RETURN(m.fp, FpLiveness::Create(dir / "fp_liveness.onnx", load));
  return m;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return (a.size() == b.size() && na > 0 && nb > 0) ? dot / std::sqrt(na * nb) : -1;
}

int BoxDistance(const Rect& a, const Rect& b) {
  return std::max({std::abs(a.left - b.left), std::abs(a.top - b.top), std::abs(a.right - b.right),
                   std::abs(a.bottom - b.bottom)});
}

TEST(RuntimeAgreement, EveryModelOnEveryDevPhoto) {
  FP_REQUIRE_FACES();
  FP_REQUIRE_MODELS();
  auto ort = Load(RuntimeKind::kOnnxRuntime);
  if (!ort.ok()) GTEST_SKIP() << "ONNX Runtime unavailable (scripts/fetch-onnxruntime.sh): " << ort.status().ToString();
  auto cv = Load(RuntimeKind::kOpenCv);
  ASSERT_TRUE(cv.ok()) << cv.status().ToString();
  auto listed = eval::ListFaces(testing::FacesDir());
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_GE(listed->size(), 20u);

  int worst_box = 0, faces = 0;
  double worst_mesh = 0, worst_live = 0;
  std::vector<double> worst_cos(cv->embedders.size(), 1.0);
  for (const eval::Photo& row : *listed) {
    SCOPED_TRACE(row.path);
    auto img = DecodeUpright(testing::Photo(row.path));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    auto a = ort->detector->Detect(*img);
    auto b = cv->detector->Detect(*img);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size()) << "faces found";
    for (size_t i = 0; i < a->size(); ++i) {
      worst_box = std::max(worst_box, BoxDistance((*a)[i].rect, (*b)[i].rect));
      EXPECT_LE(BoxDistance((*a)[i].rect, (*b)[i].rect), kMaxBoxPx) << "face " << i;
    }
    if (b->empty()) continue;
    ++faces;
    const DetectedFace& face = b->front();
    float conf_a = 0, conf_b = 0;
    auto mesh_a = ort->mesh->Run(*img, face, &conf_a);
    auto mesh_b = cv->mesh->Run(*img, face, &conf_b);
    ASSERT_TRUE(mesh_a.ok() && mesh_b.ok());
    for (size_t i = 0; i < mesh_b->size(); ++i) {
      const double d = cv::norm((*mesh_a)[i] - (*mesh_b)[i]);
      worst_mesh = std::max(worst_mesh, d);
      EXPECT_LE(d, kMaxMeshPx) << "mesh point " << i;
    }
    for (size_t k = 0; k < cv->embedders.size(); ++k) {
      const Embedder& e = *cv->embedders[k].second;
      const cv::Mat crop = e.AlignedCrop(*img, face, *mesh_b);
      auto fa = ort->embedders[k].second->Embed(crop);
      auto fb = e.Embed(crop);
      ASSERT_TRUE(fa.ok() && fb.ok());
      const double c = Cosine(*fa, *fb);
      worst_cos[k] = std::min(worst_cos[k], c);
      EXPECT_GE(c, kMinCosine) << cv->embedders[k].first;
    }
    float as_a, lv_a, as_b, lv_b;
    ASSERT_TRUE(ort->pair->Probabilities(*img, face, &as_a, &lv_a).ok());
    ASSERT_TRUE(cv->pair->Probabilities(*img, face, &as_b, &lv_b).ok());
    auto fp_a = ort->fp->Score(*img, face);
    auto fp_b = cv->fp->Score(*img, face);
    ASSERT_TRUE(fp_a.ok() && fp_b.ok());
    const double live[3] = {100.0 * std::abs(as_a - as_b), 100.0 * std::abs(lv_a - lv_b), std::abs(*fp_a - *fp_b)};
    for (double d : live) {
      worst_live = std::max(worst_live, d);
      EXPECT_LE(d, kMaxLivenessPoints) << "antispoof, liveness, fp_liveness: " << live[0] << " " << live[1] << " "
                                       << live[2];
    }
  }
  EXPECT_GE(faces, 20);
  std::printf("RUNTIMES %zu photos: boxes within %d px, mesh within %.3f px, liveness within %.4f points\n",
              listed->size(), worst_box, worst_mesh, worst_live);
  for (size_t k = 0; k < cv->embedders.size(); ++k)
    std::printf("RUNTIMES %-26s lowest cosine 1 - %.1e\n", cv->embedders[k].first.c_str(), 1.0 - worst_cos[k]);
}

}  // namespace
}  // namespace facepass::vision
