#include "vision/engine.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/detector.h"
#include "vision/embedder.h"
#include "vision/face_choice.h"
#include "vision/image.h"
#include "vision/landmarks.h"
#include "vision/fp_liveness.h"
#include "vision/liveness.h"
#include "vision/quality.h"
#include "vision/score.h"

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

struct Engine::Impl {
  nlohmann::json manifest;               // models/models.json of fetch-models.sh, if present
  std::unique_ptr<Detector> detector;
  std::unique_ptr<FaceMesh> mesh;        // optional
  std::unique_ptr<Embedder> embedder;
  std::unique_ptr<Liveness> liveness;    // optional; kind "human"
  std::unique_ptr<FpLiveness> fp_liveness;  // kind "faceplugin" (then `liveness` is null)
  ScoreMap score;
  std::string mesh_note;
};

namespace {

std::filesystem::path Pick(const std::filesystem::path& override_file, const std::filesystem::path& dir,
                           const char* name) {
  return override_file.empty() ? dir / name : override_file;
}

// Provenance of a model file from fetch-models.sh's manifest: package@version, sha256.
nlohmann::json Provenance(const nlohmann::json& manifest, const std::filesystem::path& file) {
  nlohmann::json out = nlohmann::json::object();
  if (!manifest.is_array()) return out;
  for (const auto& m : manifest) {
    if (!m.is_object() || m.value("onnx", "") != file.filename().string()) continue;
    out["sha256"] = m.value("sha256", "");
    if (m.contains("npm") && m["npm"].is_string()) {  // copied as is from an npm package
      out["source"] = m["npm"];
      continue;
    }
    // The source path holds the unpacked npm package: .../vladmandic-human-3.3.6/package/...
    std::string src = m.value("source", "");
    size_t at = src.find("vladmandic-");
    if (at != std::string::npos) {
      std::string dir = src.substr(at, src.find('/', at) - at);  // vladmandic-human-3.3.6
      size_t dash = dir.rfind('-');
      out["source"] = "@vladmandic/" + dir.substr(11, dash - 11) + "@" + dir.substr(dash + 1);
    }
  }
  return out;
}

// Mesh points whose face-presence score is below this are ignored (pose falls back to
// the detector keypoints).
constexpr float kMinMeshConfidence = 0.5f;

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(const EngineOptions& opts) {
  if (opts.num_threads > 0) cv::setNumThreads(opts.num_threads);
  auto impl = std::make_unique<Impl>();
  const int pool = std::max(1, opts.pool_size);
  const auto& dir = opts.models_dir;
  try {
    std::ifstream in(dir / "models.json");
    if (in) impl->manifest = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    impl->manifest = nullptr;  // provenance is informative only
  }

  std::string det_default = opts.detector.kind == "scrfd" ? "scrfd.onnx"
                            : opts.detector.kind == "rfb" ? "rfb320.onnx"
                                                          : "blazeface.onnx";
  FP_ASSIGN_OR_RETURN(auto det, Detector::Create(opts.detector, Pick(opts.detector.file, dir, det_default.c_str()), pool));
  impl->detector = std::move(det);

  auto mesh_file = Pick(opts.landmark_file, dir, "facemesh.onnx");
  auto mesh = FaceMesh::Create(mesh_file, pool);
  if (mesh.ok()) impl->mesh = std::move(mesh.value());
  else if (!opts.landmark_file.empty()) return mesh.status();  // asked for explicitly

  const char* emb_default = opts.embedder.kind == "faceapi"   ? "faceapi_recognition.onnx"
                            : opts.embedder.kind == "faceres" ? "faceres.onnx"
                                                              : "arcface.onnx";
  const auto emb_file = Pick(opts.embedder.file, dir, emb_default);
  FP_ASSIGN_OR_RETURN(auto emb, Embedder::Create(opts.embedder, emb_file, pool));
  impl->embedder = std::move(emb);
  // The calibration ships beside the model: models/<stem>.score.json. Without one the
  // score is the uncalibrated default (a swapped-in model nobody has measured yet).
  auto cal_file = emb_file;
  cal_file.replace_extension(".score.json");
  if (std::filesystem::exists(cal_file)) {
    FP_ASSIGN_OR_RETURN(auto cal, ScoreMap::FromFile(cal_file, impl->embedder->pool().content_id()));
    impl->score = std::move(cal);
  }

  if (opts.liveness_kind == "faceplugin") {
    FP_ASSIGN_OR_RETURN(auto live, FpLiveness::Create(Pick(opts.liveness_file, dir, "fp_liveness.onnx"), pool));  // asked for explicitly
    impl->fp_liveness = std::move(live);
  } else if (opts.liveness_kind.empty() || opts.liveness_kind == "human") {
    auto live = Liveness::Create(Pick(opts.antispoof_file, dir, "antispoof.onnx"),
                                 Pick(opts.liveness_file, dir, "liveness.onnx"), pool);
    if (live.ok()) impl->liveness = std::move(live.value());
  } else {
    return Status::InvalidArgument("unknown liveness kind: " + opts.liveness_kind + " (human or faceplugin)");
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Result<Analysis> Engine::Analyze(std::string_view bytes, Purpose purpose, const AnalyzeOptions& opts) const {
  Analysis a;
  ImageHeader h;
  a.verdict = ValidateImage(bytes, purpose, &h, &a.verdict_detail);
  a.format = h.format;
  a.width = h.upright_width();
  a.height = h.upright_height();
  if (a.verdict != ImageVerdict::kOk) return a;
  auto img = DecodeWithHeader(bytes, h);
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
  FP_ASSIGN_OR_RETURN(auto faces, impl_->detector->Detect(bgr));
  a.faces = std::move(faces);
  if (a.faces.empty()) return a;

  const size_t best = ChooseLargestFace(a.faces, bgr.cols, bgr.rows);
  FaceResult fr;
  fr.face = a.faces[best];
  std::vector<float> depth;
  if (impl_->mesh) {
    float conf = 0;
    FP_ASSIGN_OR_RETURN(auto mesh, impl_->mesh->Run(bgr, fr.face, &conf, &depth));
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
  if (opts.embed) {
    cv::Mat crop;
    try {
      crop = impl_->embedder->AlignedCrop(bgr, fr.face, fr.mesh);
    } catch (const cv::Exception& e) {
      return Status::Internal(std::string("alignment: ") + e.what());
    }
    FP_ASSIGN_OR_RETURN(auto f, impl_->embedder->Embed(crop));
    fr.feature = std::move(f);
    fr.aligned = crop;
  }
  if (opts.liveness && (impl_->liveness || impl_->fp_liveness)) {
    FP_ASSIGN_OR_RETURN(auto l, impl_->liveness ? impl_->liveness->Score(bgr, fr.face) : impl_->fp_liveness->Score(bgr, fr.face));
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

nlohmann::json Engine::ModelDetail() const {
  auto entry = [&](const std::string& kind, const NetPool& pool) {
    nlohmann::json j = {{"kind", kind}, {"file", pool.file().filename().string()}, {"id", pool.content_id()}};
    j.update(Provenance(impl_->manifest, pool.file()));
    return j;
  };
  nlohmann::json j;
  j["detector"] = entry(impl_->detector->kind(), impl_->detector->pool());
  if (impl_->mesh) j["landmarks"] = entry("facemesh", impl_->mesh->pool());
  j["embedder"] = entry(impl_->embedder->kind(), impl_->embedder->pool());
  j["embedder"]["dim"] = impl_->embedder->dim();
  j["embedder"]["alignment"] = impl_->embedder->alignment();
  j["embedder"]["search_model"] = impl_->embedder->id();
  if (impl_->liveness) j["liveness"] = {{"kind", "human"}, {"id", impl_->liveness->id()}};
  if (impl_->fp_liveness) j["liveness"] = {{"kind", "faceplugin"}, {"id", impl_->fp_liveness->id()}};
  j["score"] = impl_->score.ToJson();
  j["search_model"] = search_model();
  return j;
}

Result<cv::Mat> DecodeUpright(std::string_view bytes) {
  ImageHeader h;
  if (!ReadImageHeader(bytes, &h)) return Status::InvalidArgument("unreadable image header");
  if (h.format != "jpeg" && h.format != "png" && h.format != "bmp")
    return Status::InvalidArgument("unsupported format");
  if ((long long)h.width * h.height > (1LL << 26)) return Status::InvalidArgument("image too large");
  return DecodeWithHeader(bytes, h);
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

namespace {
double R(double v, int decimals) {  // short JSON numbers
  double s = std::pow(10.0, decimals);
  return std::round(v * s) / s;
}
}  // namespace

nlohmann::json AnalysisToJson(const Analysis& a) {
  auto rect = [](const Rect& r) {
    return nlohmann::json{{"left", r.left}, {"top", r.top}, {"right", r.right}, {"bottom", r.bottom}};
  };
  auto face = [&](const DetectedFace& f) {
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : f.landmarks) pts.push_back({R(p.x, 1), R(p.y, 1)});
    return nlohmann::json{{"rect", rect(f.rect)}, {"score", R(f.score, 4)}, {"landmarks", pts}};
  };
  nlohmann::json j;
  j["verdict"] = VerdictName(a.verdict);
  if (!a.verdict_detail.empty()) j["verdict_detail"] = a.verdict_detail;
  j["format"] = a.format;
  j["width"] = a.width;
  j["height"] = a.height;
  j["faces"] = nlohmann::json::array();
  for (const auto& f : a.faces) j["faces"].push_back(face(f));
  if (a.best) {
    const FaceResult& b = *a.best;
    const Quality& q = b.quality;
    nlohmann::json best = face(b.face);
    best["quality"] = {{"yaw", R(q.pose.yaw, 2)}, {"pitch", R(q.pose.pitch, 2)}, {"roll", R(q.pose.roll, 2)},
                       {"blur", R(q.blur, 3)}, {"brightness", R(q.brightness, 2)},
                       {"std_deviation", R(q.std_deviation, 2)}, {"face_min", q.face_min}};
    auto gate = FirstFailedGate(q);
    best["enrol_gate"] = gate ? nlohmann::json(*gate) : nlohmann::json(nullptr);
    best["mesh_points"] = b.mesh.size();
    if (!b.feature.empty()) best["feature"] = b.feature;
    if (b.liveness) best["liveness"] = R(*b.liveness, 2);
    j["best"] = best;
  } else {
    j["best"] = nullptr;
  }
  return j;
}

}  // namespace facepass::vision
