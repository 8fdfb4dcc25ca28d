#include "vision/engine.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/decode_gate.h"
#include "vision/detector.h"
#include "vision/embedder.h"
#include "vision/fused_embedder.h"
#include "vision/face_choice.h"
#include "vision/image.h"
#include "vision/landmarks.h"
#include "vision/blended_liveness.h"
#include "vision/fp_liveness.h"
#include "vision/liveness.h"
#include "vision/model_registry.h"
#include "vision/quality.h"
#include "vision/score.h"
#include "vision/side_task.h"
#include "vision/stage_metrics.h"

namespace facepass::vision {

const char* VerdictName(ImageVerdict v) {
  switch (v) {
    case ImageVerdict::kOk: return "ok";
    case ImageVerdict::kFileTooLarge: return "file_too_large";
    case ImageVerdict::kUnsupportedFormat: return "unsupported_format";
    case ImageVerdict::kBadResolution: return "bad_resolution";
    case ImageVerdict::kCorrupt: return "corrupt";
  }
  return "?";
}

const char* PurposeName(Purpose p) {
  switch (p) {
    case Purpose::kEnrol: return "enrol";
    case Purpose::kCompare: return "compare";
    case Purpose::kRecognise: return "recognise";
  }
  return "?";
}

namespace {

// The liveness model EngineOptions::liveness_kind chose, one of three classes behind one
// call, and what Models() reports of it.
struct LivenessChoice {
  std::function<Result<float>(const cv::Mat&, const DetectedFace&)> score;  // empty: no liveness
  std::optional<LivenessModelInfo> info;
};

template <typename Model>
LivenessChoice ChooseLiveness(std::string kind, std::unique_ptr<Model> model) {
  std::shared_ptr<const Model> m = std::move(model);
  return {[m](const cv::Mat& bgr, const DetectedFace& face) { return m->Score(bgr, face); },
          LivenessModelInfo{std::move(kind), m->id()}};
}

}  // namespace

struct Engine::Impl {
  nlohmann::json manifest;               // models/models.json of fetch-models.sh, if present
  std::unique_ptr<Detector> detector;
  std::unique_ptr<FaceMesh> mesh;        // optional
  std::unique_ptr<FusedEmbedder> embedder;  // one embedder, or two fused
  bool parallel_stages = true;              // EngineOptions::parallel_stages
  LivenessChoice liveness;                  // empty when its models are missing (liveness optional)
  ScoreMap score;
  std::string mesh_note;
  StageMetrics stages{nullptr};
  std::unique_ptr<DecodeGate> decode_gate;
  RuntimeInfo runtime;
};

namespace {

std::filesystem::path Pick(const std::filesystem::path& override_file, const std::filesystem::path& dir,
                           const char* name) {
  return override_file.empty() ? dir / name : override_file;
}

// Provenance of a model file from fetch-models.sh's manifest: package@version, sha256.
void AddProvenance(const nlohmann::json& manifest, const std::filesystem::path& file, ModelFileInfo* out) {
  if (!manifest.is_array()) return;
  for (const auto& m : manifest) {
    if (!m.is_object() || m.value("onnx", "") != file.filename().string()) continue;
    out->sha256 = m.value("sha256", "");
    if (m.contains("npm") && m["npm"].is_string()) {  // copied as is from an npm package
      out->source = m["npm"].get<std::string>();
      continue;
    }
    // The source path holds the unpacked npm package: .../vladmandic-human-3.3.6/package/...
    std::string src = m.value("source", "");
    size_t at = src.find("vladmandic-");
    if (at != std::string::npos) {
      std::string dir = src.substr(at, src.find('/', at) - at);  // vladmandic-human-3.3.6
      size_t dash = dir.rfind('-');
      out->source = "@vladmandic/" + dir.substr(11, dash - 11) + "@" + dir.substr(dash + 1);
    }
  }
}

// Mesh points whose face-presence score is below this are ignored (pose falls back to
// the detector keypoints).
constexpr float kMinMeshConfidence = 0.5f;

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(const EngineOptions& opts) {
  auto impl = std::make_unique<Impl>();
  FP_ASSIGN_OR_RETURN(auto runtime, OpenRuntime(opts.runtime));
  impl->runtime = RuntimeInfo{RuntimeName(runtime.runtime->kind()), runtime.runtime->version(),
                              runtime.runtime->library(), std::move(runtime.fallback_reason)};
  const LoadOptions load{std::move(runtime.runtime), std::max(1, opts.pool_size)};
  impl->stages = StageMetrics(opts.metrics);
  impl->decode_gate = std::make_unique<DecodeGate>(opts.large_decode_slots, opts.large_decode_area);
  const auto& dir = opts.models_dir;
  try {
    std::ifstream in(dir / "models.json");
    if (in) impl->manifest = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    impl->manifest = nullptr;  // provenance is informative only
  }

  FP_ASSIGN_OR_RETURN(const DetectorKind det_kind, ParseDetectorKind(opts.detector.kind));
  FP_ASSIGN_OR_RETURN(auto det, Detector::Create(opts.detector, Pick(opts.detector.file, dir, Spec(det_kind).default_file), load));
  impl->detector = std::move(det);

  auto mesh_file = Pick(opts.landmark_file, dir, Spec(AuxModel::kFaceMesh).default_file);
  auto mesh = FaceMesh::Create(mesh_file, load);
  if (mesh.ok()) impl->mesh = std::move(mesh.value());
  else if (!opts.landmark_file.empty()) return mesh.status();  // asked for explicitly

  FP_ASSIGN_OR_RETURN(const EmbedderKind emb_kind, ParseEmbedderKind(opts.embedder.kind));
  const auto emb_file = Pick(opts.embedder.file, dir, Spec(emb_kind).default_file);
  FP_ASSIGN_OR_RETURN(auto first, Embedder::Create(opts.embedder, emb_file, load));
  const auto& fu = opts.fusion;
  if (!fu.mode.empty() && fu.mode != "on" && fu.mode != "off")
    return Status::InvalidArgument("unknown fusion mode: " + fu.mode + " (on, off, or empty for the default)");
  const bool default_embedder = emb_kind == EmbedderKind::kArcFace && opts.embedder.file.empty();
  std::unique_ptr<Embedder> second;
  std::filesystem::path second_file;
  if (fu.mode == "on" || (fu.mode.empty() && default_embedder)) {
    second_file = Pick(fu.second.file, dir, Spec(AuxModel::kMobileFaceNet).default_file);
    auto made = Embedder::Create(fu.second, second_file, load);
    if (!made.ok() && fu.mode.empty() && made.status().code() == StatusCode::kNotFound)  // a models dir from before fusion
      return Status::NotFound(made.status().message() +
                              " (the default embedder is arcface fused with MobileFaceNet: run "
                              "scripts/fetch-models.sh, or choose arcface alone with --fusion off)");
    FP_ASSIGN_OR_RETURN(second, std::move(made));
  }
  FP_ASSIGN_OR_RETURN(auto emb, FusedEmbedder::Create(std::move(first), std::move(second), fu.weight, opts.parallel_stages));
  impl->embedder = std::move(emb);
  impl->parallel_stages = opts.parallel_stages;
  // The calibration ships beside the (first) model (FusedEmbedder::CalibrationFile).
  // Without one the score is the uncalibrated default (a swapped-in model or a fusion
  // weight nobody has measured yet).
  const auto cal_file = impl->embedder->CalibrationFile(emb_file, second_file);
  if (std::filesystem::exists(cal_file)) {
    FP_ASSIGN_OR_RETURN(auto cal, ScoreMap::FromFile(cal_file, impl->embedder->content_id()));
    impl->score = std::move(cal);
  }

  const auto antispoof_file = Pick(opts.antispoof_file, dir, Spec(AuxModel::kAntispoof).default_file);
  const auto liveness_file = Pick(opts.liveness_file, dir, Spec(AuxModel::kLiveness).default_file);
  const char* fp_default = Spec(AuxModel::kFpLiveness).default_file;
  FP_ASSIGN_OR_RETURN(const LivenessKind live_kind, ParseLivenessKind(opts.liveness_kind));
  if (live_kind == LivenessKind::kFaceplugin) {
    // liveness_file names fp_liveness here (the option predates the blend).
    FP_ASSIGN_OR_RETURN(auto live, FpLiveness::Create(Pick(opts.liveness_file, dir, fp_default), load));
    impl->liveness = ChooseLiveness(Spec(live_kind).name, std::move(live));
  } else {
    const bool explicit_blend = !opts.liveness_kind.empty() && live_kind == LivenessKind::kBlend;
    if (live_kind == LivenessKind::kBlend) {
      auto blend = BlendedLiveness::Create(antispoof_file, liveness_file, Pick(opts.fp_liveness_file, dir, fp_default), load);
      if (blend.ok()) impl->liveness = ChooseLiveness(Spec(LivenessKind::kBlend).name, std::move(blend.value()));
      else if (explicit_blend) return blend.status();  // asked for explicitly
    }
    // "human", or the default on a models folder without fp_liveness.onnx (older
    // fetches, trimmed test folders): the pair alone, as before the blend.
    if (!impl->liveness.score) {
      auto pair = Liveness::Create(antispoof_file, liveness_file, load);
      if (pair.ok()) impl->liveness = ChooseLiveness(Spec(LivenessKind::kHuman).name, std::move(pair.value()));
    }
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

namespace {
Analysis FromHeader(std::string_view bytes, Purpose purpose, ImageHeader* h) {
  Analysis a;
  a.verdict = ValidateImage(bytes, purpose, h, &a.verdict_detail);
  a.format = h->format;
  a.width = h->upright_width();
  a.height = h->upright_height();
  return a;
}
}  // namespace

Analysis Engine::Inspect(std::string_view bytes, Purpose purpose) const {
  ImageHeader h;
  return FromHeader(bytes, purpose, &h);
}

Result<Analysis> Engine::Analyze(std::string_view bytes, Purpose purpose, const AnalyzeOptions& opts) const {
  ImageHeader h;
  Analysis a = FromHeader(bytes, purpose, &h);
  if (a.verdict != ImageVerdict::kOk) return a;
  // Held until the pixels are gone (the end of this call).
  DecodeGate::Pass large = impl_->decode_gate->Enter(int64_t{h.width} * h.height);
  auto img = Timed(impl_->stages.decode, [&] { return DecodeWithHeader(bytes, h); });
  if (!img.ok()) {
    a.verdict = ImageVerdict::kCorrupt;
    a.verdict_detail = img.status().message();
    return a;
  }
  FP_ASSIGN_OR_RETURN(auto r, AnalyzePixels(img.value(), purpose, opts));
  r.format = a.format;
  return r;
}

Result<Analysis> Engine::AnalyzePixels(const cv::Mat& bgr, Purpose purpose, const AnalyzeOptions& opts) const {
  Analysis a;
  a.width = bgr.cols;
  a.height = bgr.rows;
  if (bgr.empty() || bgr.type() != CV_8UC3) return Status::InvalidArgument("expected 8-bit BGR pixels");
  FP_ASSIGN_OR_RETURN(auto faces, Timed(impl_->stages.detect, [&] { return impl_->detector->Detect(bgr); }));
  a.faces = std::move(faces);
  if (a.faces.empty()) return a;

  const size_t best = ChooseLargestFace(a.faces, bgr.cols, bgr.rows);
  FaceResult fr;
  fr.face = a.faces[best];
  std::vector<float> depth;
  if (impl_->mesh) {
    float conf = 0;
    FP_ASSIGN_OR_RETURN(auto mesh,
                        Timed(impl_->stages.landmarks, [&] { return impl_->mesh->Run(bgr, fr.face, &conf, &depth); }));
    if (conf >= kMinMeshConfidence) fr.mesh = std::move(mesh);
    else depth.clear();
  }
  cv::Mat grey;
  try {
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  } catch (const cv::Exception& e) {
    return Status::Internal(e.what());
  }
  try {  // resizes, statistics and solvePnP: a cv::Exception must not escape the engine
    fr.quality = MeasureQuality(bgr, grey, fr.face, fr.mesh, depth);
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("quality: ") + e.what());
  }
  const bool live = opts.liveness && impl_->liveness.score;
  auto liveness = [&, face = fr.face] {
    return Timed(impl_->stages.liveness, [&] { return impl_->liveness.score(bgr, face); });
  };
  // Liveness needs only the face box: beside the embedding when asked (parallel_stages).
  auto later = StartBeside(live && opts.embed && impl_->parallel_stages, liveness);
  if (opts.embed) {
    cv::Mat crop;
    auto f = Timed(impl_->stages.embed, [&] { return impl_->embedder->Embed(bgr, fr.face, fr.mesh, &crop); });
    if (later.valid()) later.wait();  // joined before `bgr` can go, whatever the embedding says
    if (!f.ok()) return f.status();
    fr.feature = std::move(f.value());
    fr.aligned = crop;
  }
  if (live) {
    FP_ASSIGN_OR_RETURN(auto l, later.valid() ? later.get() : liveness());
    fr.liveness = l;
  }
  a.best = std::move(fr);
  return a;
}

float Engine::Score(std::span<const float> a, std::span<const float> b) const {
  if (a.size() != b.size() || a.empty()) return ScoreFromSimilarity(-1.f);
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  double c = (na > 0 && nb > 0) ? dot / std::sqrt(na * nb) : -1.0;
  return ScoreFromSimilarity(float(c));
}

float Engine::ScoreFromSimilarity(float cosine) const { return impl_->score.Map(cosine); }
int Engine::feature_dim() const { return impl_->embedder->dim(); }
std::string Engine::search_model() const { return impl_->embedder->id() + "-s" + impl_->score.digest(); }

ModelDetails Engine::Models() const {
  auto entry = [&](const std::string& kind, const Network& net) {
    ModelFileInfo m{kind, net.file().filename().string(), net.content_id(), std::nullopt, std::nullopt};
    AddProvenance(impl_->manifest, net.file(), &m);
    return m;
  };
  ModelDetails d;
  d.runtime = impl_->runtime;
  d.detector = entry(impl_->detector->kind(), impl_->detector->network());
  if (impl_->mesh) d.landmarks = entry("facemesh", impl_->mesh->network());
  const Embedder& first = impl_->embedder->first();
  d.embedder = entry(first.kind(), first.network());
  if (const Embedder* second = impl_->embedder->second()) {
    d.fused_with = entry(second->kind(), second->network());
    d.fusion_weight = impl_->embedder->weight();
  }
  d.embedder_dim = impl_->embedder->dim();
  d.embedder_alignment = first.alignment();
  d.embedder_search_model = impl_->embedder->id();
  d.calibration_model_id = impl_->embedder->content_id();
  d.liveness = impl_->liveness.info;
  d.score.knots = impl_->score.knots();
  d.score.digest = impl_->score.digest();
  d.score.tables = impl_->score.tables();
  d.score.calibration = impl_->score.calibrated() ? impl_->score.source() : "none (uncalibrated default)";
  d.search_model = search_model();
  return d;
}

Result<cv::Mat> DecodeUpright(std::string_view bytes) {
  ImageHeader h;
  if (!ReadImageHeader(bytes, &h)) return Status::InvalidArgument("unreadable image header");
  if (h.format != "jpeg" && h.format != "png" && h.format != "bmp")
    return Status::InvalidArgument("unsupported format");
  if ((long long)h.width * h.height > (1LL << 26)) return Status::InvalidArgument("image too large");
  return DecodeWithHeader(bytes, h);
}

Result<std::string> EncodeJpegRegion(const cv::Mat& bgr, const Rect& r, int quality) {
  if (r.width() <= 0 || r.height() <= 0 || r.left < 0 || r.top < 0 || r.right > bgr.cols || r.bottom > bgr.rows)
    return Status::InvalidArgument("crop region outside the image");
  cv::Mat crop;
  try {
    crop = bgr(cv::Rect(r.left, r.top, r.width(), r.height()));
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("crop: ") + e.what());
  }
  return EncodeJpeg(crop, quality);
}

Result<std::string> EncodeJpeg(const cv::Mat& bgr, int quality) {
  std::vector<uchar> buf;
  try {
    if (!cv::imencode(".jpg", bgr, buf, {cv::IMWRITE_JPEG_QUALITY, quality}))
      return Status::Internal("JPEG encoding failed");
  } catch (const cv::Exception& e) {
    return Status::Internal(std::string("JPEG encoding failed: ") + e.what());
  }
  return std::string(buf.begin(), buf.end());
}

}  // namespace facepass::vision
