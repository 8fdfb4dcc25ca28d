// The vision engine: validation, detection, quality, feature vector, liveness and scoring.
// Thread-safe: every model runs through a thread-safe vision::Network.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "common/status.h"
#include "metrics/registry.h"
#include "vision/model_details.h"
#include "vision/runtime.h"
#include "vision/types.h"

namespace facepass::vision {

// How to feed a swappable embedder (e.g. an InsightFace ArcFace ONNX).
struct EmbedderConfig {
  std::filesystem::path file;     // empty: models_dir/<arcface|faceres|faceapi_recognition>.onnx
  // "arcface"  : 112x112 five-point similarity alignment, (x-127.5)/127.5 RGB (InsightFace
  //              layout); the default model is faceplugin's 512-D MobileFaceNet
  // "faceres"  : human's faceres, 224x224 RGB 0..255, face box crop, 1024-D
  // "faceapi"  : dlib ResNet, 150x150 RGB, (x-mean)/255, 128-D, on dlib's face chip
  std::string kind;               // empty: "arcface"
  std::string output;             // output layer name; empty = the model's default/only output
  int input_size = 0;             // 0: the kind's default (224 / 150 / 112)
  std::string alignment;          // "template" | "mesh_box" | "dlib" | "landmark_box"; empty: the kind's default
  float zoom = 0;                 // 0: the kind's default; template: < 1 shows more head, mesh_box: > 1
  // Also embed the mirrored crop and add the two features (the usual ArcFace
  // "flip test"): 0 or -1 off (the default), 1 on.
  int flip = -1;
};

// Score-level fusion of the embedder with a second one (vision/fused_embedder.h).
struct FusionConfig {
  // "" (auto): the default embedder (kind arcface, default file) is fused with
  // models_dir/mobilefacenet.onnx, any other embedder runs alone; "on": always (the
  // second file must load); "off": never.
  std::string mode;
  EmbedderConfig second;  // file empty: models_dir/mobilefacenet.onnx; kind empty: arcface
  float weight = 0.4f;    // the first embedder's share of the fused cosine (lfw-dev, docs/models.md)
};

// How to feed a swappable detector.
struct DetectorConfig {
  std::filesystem::path file;     // empty: models_dir/blazeface.onnx
  // "blazeface": 256x256, x/127.5-1, two SSD heads (human's blazeface-back)
  // "scrfd"    : InsightFace SCRFD (any input size divisible by 32, 3 strides, 5 keypoints)
  std::string kind;               // empty: "blazeface"
  int input_size = 0;             // 0: the kind's default
  float min_score = 0.6f;         // detections below are dropped (0.5 lets background through)
};

struct EngineOptions {
  std::filesystem::path models_dir;  // where the default *.onnx files live
  int pool_size = 2;                 // OpenCV: instances per model = max concurrent inferences
  // Which runtime runs the models (default: ONNX Runtime when its library loads, else
  // OpenCV, the reason in Models().runtime) and its threads per inference (1: the
  // request pool gives the parallelism, no oversubscription).
  RuntimeOptions runtime;
  DetectorConfig detector;
  EmbedderConfig embedder;
  FusionConfig fusion;
  std::filesystem::path landmark_file;  // empty: models_dir/facemesh.onnx; missing file = no mesh
  std::filesystem::path antispoof_file; // empty: models_dir/antispoof.onnx
  std::filesystem::path liveness_file;  // empty: models_dir/liveness.onnx
  std::filesystem::path fp_liveness_file;  // empty: models_dir/fp_liveness.onnx (kind "blend")
  // "blend" (default): the weighted mean of antispoof, liveness and fp_liveness
  // (vision/blended_liveness.h); by default, without fp_liveness.onnx, the pair alone.
  // "human": antispoof x liveness; "faceplugin": fp_liveness.onnx alone (models_dir, or
  // liveness_file). docs/models.md compares them on live and spoof-like photos.
  std::string liveness_kind;
  // Independent stages of one analysis on threads of their own: the fused pair's second
  // embedder beside the first, liveness beside the embedding (one request's latency on
  // a box with an idle core); false: one after the other (bench_vision's single-thread
  // figures). Results are the same either way.
  bool parallel_stages = true;
  // Pictures over large_decode_area pixels are decoded and analysed at most
  // large_decode_slots at a time (vision/decode_gate.h): ~240 MB each at 4096x4096.
  int large_decode_slots = 2;
  int64_t large_decode_area = 2048LL * 2048;
  // Stage latencies (vision/stage_metrics.h); nullptr: not timed.
  metrics::Registry* metrics = &metrics::DefaultRegistry();
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Create(const EngineOptions& opts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // What the header alone says (verdict, format, upright size; no pixels, no
  // faces): Analyze() answers the same unless the pixels then fail to decode.
  Analysis Inspect(std::string_view bytes, Purpose purpose) const;
  // Status only for internal failures; image problems go in Analysis::verdict.
  Result<Analysis> Analyze(std::string_view bytes, Purpose purpose, const AnalyzeOptions& opts) const;
  // Analyze() on pixels already decoded (BGR, upright): no validation.
  Result<Analysis> AnalyzePixels(const cv::Mat& bgr, Purpose purpose, const AnalyzeOptions& opts) const;

  float Score(std::span<const float> a, std::span<const float> b) const;  // (0, 100]
  float ScoreFromSimilarity(float cosine) const;  // the same mapping, for inner products of unit features
  int feature_dim() const;
  std::string search_model() const;  // changes whenever the embedder (or its preprocessing) changes
  ModelDetails Models() const;  // model names/versions for GET /api/version/v1

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// nullopt = passes the enrol gates; else the first failed gate, e.g. "yaw=27.4>20".
// Order: face_min, yaw, pitch, roll, blur, brightness, std_deviation.
std::optional<std::string> FirstFailedGate(const Quality& q);

// Decodes JPEG/PNG/BMP bytes to 3-channel BGR with EXIF orientation applied.
Result<cv::Mat> DecodeUpright(std::string_view bytes);
Result<std::string> EncodeJpeg(const cv::Mat& bgr, int quality = 90);
// The JPEG of `region` of the image; InvalidArgument when the region is empty
// or leaves the image. Every OpenCV failure comes back as a Status.
Result<std::string> EncodeJpegRegion(const cv::Mat& bgr, const Rect& region, int quality = 90);

}  // namespace facepass::vision
