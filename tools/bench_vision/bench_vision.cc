// Per-stage and end-to-end latency of the vision engine on one 720p video frame,
// single thread, on each inference runtime in one run (stage by stage, the runtimes
// side by side):
//   bench_vision [--faces DIR] [--models DIR] [--embedder arcface|faceres|faceapi]
//                [--detector blazeface|rfb] [--fusion on|off] [--parallel]
//                [--runtime onnxruntime|opencv (default: both)] [--intra-threads N] [benchmark flags]
// BM_AlignEmbedSecond is the fused default's second embedder (mobilefacenet.onnx) alone.
// BM_FaceAdd is what POST /api/face/v1/add runs: bytes -> validated, decoded, detected,
// landmarks, quality, aligned, embedded (Purpose::kEnrol, no liveness).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/detector.h"
#include "vision/embedder.h"
#include "vision/engine.h"
#include "vision/landmarks.h"
#include "vision/liveness.h"
#include "vision/model_registry.h"
#include "vision/quality.h"
#include "vision/runtime.h"

using namespace facepass::vision;

namespace {

std::string g_faces = "../shared/faces", g_models = "models", g_embedder = "arcface", g_detector = "blazeface", g_fusion;
bool g_parallel = false;  // single thread unless asked (the figure is single-thread)
int g_intra_threads = 1;  // threads inside one inference

struct Fixture {
  std::string bytes;
  cv::Mat img, grey;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Detector> detector;
  std::unique_ptr<FaceMesh> mesh;
  std::unique_ptr<Embedder> embedder;
  std::unique_ptr<Embedder> second;  // mobilefacenet.onnx, the default's fused second embedder
  std::unique_ptr<Liveness> liveness;
  DetectedFace face;
  std::vector<cv::Point2f> points;
  std::vector<float> depth;
  cv::Mat crop;
};

Fixture* MakeFixture(RuntimeKind kind) {
  auto* f = new Fixture();
  std::ifstream in(g_faces + "/obama/video-720p.jpg", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  f->bytes = ss.str();
  if (f->bytes.empty()) { fprintf(stderr, "cannot read %s/obama/video-720p.jpg\n", g_faces.c_str()); std::exit(1); }
  EngineOptions o;
  o.models_dir = g_models;
  o.pool_size = 1;
  o.embedder.kind = g_embedder;
  o.detector.kind = g_detector;
  o.fusion.mode = g_fusion;
  o.parallel_stages = g_parallel;
  o.runtime.kind = kind;
  o.runtime.intra_op_threads = g_intra_threads;
  auto e = Engine::Create(o);
  if (!e.ok()) { fprintf(stderr, "%s\n", e.status().ToString().c_str()); std::exit(1); }
  f->engine = std::move(e.value());
  const LoadOptions load{OpenRuntime(o.runtime).value().runtime, 1};
  f->img = DecodeUpright(f->bytes).value();
  cv::cvtColor(f->img, f->grey, cv::COLOR_BGR2GRAY);
  // The same default files the engine picks (vision/model_registry.h).
  const std::filesystem::path models = g_models;
  auto file = [&](const auto& spec) { return models / spec.default_file; };
  DetectorConfig dc;
  dc.kind = g_detector;
  f->detector = Detector::Create(dc, file(Spec(ParseDetectorKind(g_detector).value())), load).value();
  f->mesh = FaceMesh::Create(file(Spec(AuxModel::kFaceMesh)), load).value();
  EmbedderConfig ec;
  ec.kind = g_embedder;
  f->embedder = Embedder::Create(ec, file(Spec(ParseEmbedderKind(g_embedder).value())), load).value();
  if (auto second = Embedder::Create(EmbedderConfig{}, file(Spec(AuxModel::kMobileFaceNet)), load); second.ok())
    f->second = std::move(second.value());
  f->liveness = Liveness::Create(file(Spec(AuxModel::kAntispoof)), file(Spec(AuxModel::kLiveness)), load).value();
  f->face = f->detector->Detect(f->img).value().at(0);
  float conf;
  f->points = f->mesh->Run(f->img, f->face, &conf, &f->depth).value();
  f->crop = f->embedder->AlignedCrop(f->img, f->face, f->points);
  return f;
}

// One fixture per runtime, made on first use (the process keeps it).
Fixture& F(RuntimeKind kind) {
  static Fixture* fixtures[2] = {nullptr, nullptr};
  Fixture*& f = fixtures[kind == RuntimeKind::kOpenCv ? 1 : 0];
  if (f == nullptr) f = MakeFixture(kind);
  return *f;
}

void BM_Decode(benchmark::State& s, Fixture& f) {
  for (auto _ : s) benchmark::DoNotOptimize(DecodeUpright(f.bytes));
}
// What decoding at half scale would cost (cv::IMREAD_REDUCED_COLOR_2: libjpeg's DCT
// scaling), for a detector fed a reduced picture; not what the engine does.
void BM_DecodeHalf(benchmark::State& s, Fixture& f) {
  const cv::Mat buf(1, int(f.bytes.size()), CV_8U, f.bytes.data());
  for (auto _ : s) benchmark::DoNotOptimize(cv::imdecode(buf, cv::IMREAD_REDUCED_COLOR_2));
}
void BM_Detect(benchmark::State& s, Fixture& f) {
  for (auto _ : s) benchmark::DoNotOptimize(f.detector->Detect(f.img));
}
void BM_Landmarks(benchmark::State& s, Fixture& f) {
  float conf;
  for (auto _ : s) benchmark::DoNotOptimize(f.mesh->Run(f.img, f.face, &conf));
}
void BM_Quality(benchmark::State& s, Fixture& f) {
  for (auto _ : s) {
    cv::Mat grey;
    cv::cvtColor(f.img, grey, cv::COLOR_BGR2GRAY);
    benchmark::DoNotOptimize(MeasureQuality(f.img, grey, f.face, f.points, f.depth));
  }
}
void BM_AlignEmbed(benchmark::State& s, Fixture& f) {
  for (auto _ : s) benchmark::DoNotOptimize(f.embedder->Embed(f.embedder->AlignedCrop(f.img, f.face, f.points)));
}
void BM_AlignEmbedSecond(benchmark::State& s, Fixture& f) {
  if (!f.second) return s.SkipWithError("no models/mobilefacenet.onnx");
  for (auto _ : s) benchmark::DoNotOptimize(f.second->Embed(f.second->AlignedCrop(f.img, f.face, f.points)));
}
void BM_Liveness(benchmark::State& s, Fixture& f) {
  for (auto _ : s) benchmark::DoNotOptimize(f.liveness->Score(f.img, f.face));
}
void BM_FaceAdd(benchmark::State& s, Fixture& f) {
  for (auto _ : s) benchmark::DoNotOptimize(f.engine->Analyze(f.bytes, Purpose::kEnrol, {.embed = true, .liveness = false}));
}
void BM_EndToEnd(benchmark::State& s, Fixture& f) {
  AnalyzeOptions o;
  o.embed = true;
  o.liveness = s.range(0) != 0;
  for (auto _ : s) benchmark::DoNotOptimize(f.engine->Analyze(f.bytes, Purpose::kRecognise, o));
}

}  // namespace

double Median(const std::vector<double>& v) {
  std::vector<double> c = v;
  std::nth_element(c.begin(), c.begin() + c.size() / 2, c.end());
  return c[c.size() / 2];
}

// Each stage on each runtime, the runtimes next to each other: "BM_FaceAdd/onnxruntime".
void RegisterStages(const std::vector<RuntimeKind>& runtimes) {
  using Stage = void (*)(benchmark::State&, Fixture&);
  const std::pair<const char*, Stage> stages[] = {
      {"BM_Decode", BM_Decode},       {"BM_DecodeHalf", BM_DecodeHalf}, {"BM_Detect", BM_Detect},       {"BM_Landmarks", BM_Landmarks},
      {"BM_Quality", BM_Quality},     {"BM_AlignEmbed", BM_AlignEmbed}, {"BM_AlignEmbedSecond", BM_AlignEmbedSecond},
      {"BM_Liveness", BM_Liveness},   {"BM_FaceAdd", BM_FaceAdd},     {"BM_EndToEnd", BM_EndToEnd}};
  for (const auto& [name, fn] : stages)
    for (RuntimeKind kind : runtimes) {
      auto* b = benchmark::RegisterBenchmark((std::string(name) + "/" + RuntimeName(kind)).c_str(),
                                             [fn = fn, kind](benchmark::State& s) { fn(s, F(kind)); });
      b->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(false)->ComputeStatistics("p50", Median);
      if (fn == BM_EndToEnd) b->Arg(0)->Arg(1);
    }
}

int main(int argc, char** argv) {
  // Our own flags first; the rest go to Google Benchmark.
  std::vector<char*> rest{argv[0]};
  std::vector<RuntimeKind> runtimes{RuntimeKind::kOnnxRuntime, RuntimeKind::kOpenCv};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--faces") && i + 1 < argc) g_faces = argv[++i];
    else if (!std::strcmp(argv[i], "--models") && i + 1 < argc) g_models = argv[++i];
    else if (!std::strcmp(argv[i], "--embedder") && i + 1 < argc) g_embedder = argv[++i];
    else if (!std::strcmp(argv[i], "--detector") && i + 1 < argc) g_detector = argv[++i];
    else if (!std::strcmp(argv[i], "--fusion") && i + 1 < argc) g_fusion = argv[++i];
    else if (!std::strcmp(argv[i], "--parallel")) g_parallel = true;
    else if (!std::strcmp(argv[i], "--intra-threads") && i + 1 < argc) g_intra_threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--runtime") && i + 1 < argc) {
      auto kind = ParseRuntimeKind(argv[++i]);
      if (!kind.ok()) { fprintf(stderr, "%s\n", kind.status().ToString().c_str()); return 2; }
      runtimes = {kind.value()};
    } else rest.push_back(argv[i]);
  }
  // Kinds are checked here, once, not when the first fixture is made.
  if (auto d = ParseDetectorKind(g_detector); !d.ok()) { fprintf(stderr, "%s\n", d.status().ToString().c_str()); return 2; }
  if (auto e = ParseEmbedderKind(g_embedder); !e.ok()) { fprintf(stderr, "%s\n", e.status().ToString().c_str()); return 2; }
  RegisterStages(runtimes);
  int n = int(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
