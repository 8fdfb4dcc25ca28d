#include "vision_commands.h"

#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "vision/engine.h"
#include "vision/model_registry.h"

namespace facepass::cli {
namespace {

double R(double v, int decimals) {  // short JSON numbers
  double s = std::pow(10.0, decimals);
  return std::round(v * s) / s;
}

// JSON of an analysis (what `facepass analyze` prints).
nlohmann::json AnalysisToJson(const vision::Analysis& a) {
  using namespace vision;
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

struct VisionArgs {
  std::string models_dir;
  std::string embedder;       // kind override
  std::string embedder_file;  // ONNX override
  std::string detector;
  std::string detector_file;
};

struct AnalyzeArgs {
  std::string image, purpose = "enrol", crop_out;
  bool liveness = false, no_feature = false;
};

struct CompareArgs {
  std::string a, b;
  bool liveness = false;
};

void AddModelOptions(CLI::App* cmd, VisionArgs* v) {
  cmd->add_option("--models-dir", v->models_dir, "Directory with the ONNX models (default $FACEPASS_MODELS_DIR or ./models)");
  cmd->add_option("--embedder", v->embedder, "Embedder kind: arcface (default), faceres, faceapi")
      ->check(CLI::IsMember(vision::KindNameList(vision::EmbedderSpecs())));
  cmd->add_option("--embedder-file", v->embedder_file, "Embedder ONNX file (overrides the kind's default)");
  cmd->add_option("--detector", v->detector, "Detector kind: blazeface (default), rfb, scrfd")
      ->check(CLI::IsMember(vision::KindNameList(vision::DetectorSpecs())));
  cmd->add_option("--detector-file", v->detector_file, "Detector ONNX file");
}

Result<std::unique_ptr<vision::Engine>> MakeEngine(const VisionArgs& v) {
  vision::EngineOptions o;
  const char* env = std::getenv("FACEPASS_MODELS_DIR");
  o.models_dir = !v.models_dir.empty() ? v.models_dir : (env && *env ? env : "models");
  o.pool_size = 1;
  o.embedder.kind = v.embedder;
  o.embedder.file = v.embedder_file;
  o.detector.kind = v.detector;
  o.detector.file = v.detector_file;
  return vision::Engine::Create(o);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

int RunAnalyze(const VisionArgs& v, const AnalyzeArgs& a) {
  vision::Purpose purpose;
  if (a.purpose == "enrol") purpose = vision::Purpose::kEnrol;
  else if (a.purpose == "compare") purpose = vision::Purpose::kCompare;
  else if (a.purpose == "recognise") purpose = vision::Purpose::kRecognise;
  else { std::cerr << "unknown purpose: " << a.purpose << "\n"; return 2; }
  std::string bytes;
  if (!ReadFile(a.image, &bytes)) { std::cerr << "cannot read " << a.image << "\n"; return 1; }
  auto engine = MakeEngine(v);
  if (!engine.ok()) { std::cerr << engine.status().ToString() << "\n"; return 1; }
  vision::AnalyzeOptions opts;
  opts.embed = true;
  opts.liveness = a.liveness;
  auto r = engine.value()->Analyze(bytes, purpose, opts);
  if (!r.ok()) { std::cerr << r.status().ToString() << "\n"; return 1; }
  if (!a.crop_out.empty() && r.value().best && !r.value().best->aligned.empty()) {
    auto jpeg = vision::EncodeJpeg(r.value().best->aligned, 95);
    std::ofstream out(a.crop_out, std::ios::binary);
    if (!jpeg.ok() || !out.write(jpeg.value().data(), std::streamsize(jpeg.value().size()))) {
      std::cerr << "cannot write " << a.crop_out << "\n";
      return 1;
    }
  }
  nlohmann::json j = AnalysisToJson(r.value());
  j["purpose"] = a.purpose;
  if (a.no_feature && j["best"].is_object()) j["best"].erase("feature");
  j["search_model"] = engine.value()->search_model();
  std::cout << j.dump(2) << "\n";
  return r.value().verdict == vision::ImageVerdict::kOk ? 0 : 1;
}

int RunCompare(const VisionArgs& v, const CompareArgs& c) {
  auto engine = MakeEngine(v);
  if (!engine.ok()) { std::cerr << engine.status().ToString() << "\n"; return 1; }
  nlohmann::json out;
  std::vector<float> features[2];
  const std::string* paths[2] = {&c.a, &c.b};
  for (int i = 0; i < 2; ++i) {
    std::string bytes, key = "image_" + std::to_string(i + 1);
    if (!ReadFile(*paths[i], &bytes)) { std::cerr << "cannot read " << *paths[i] << "\n"; return 1; }
    vision::AnalyzeOptions opts;
    opts.liveness = c.liveness;
    auto r = engine.value()->Analyze(bytes, vision::Purpose::kCompare, opts);
    if (!r.ok()) { std::cerr << r.status().ToString() << "\n"; return 1; }
    const vision::Analysis& a = r.value();
    if (a.verdict != vision::ImageVerdict::kOk) {
      std::cerr << key << ": " << vision::VerdictName(a.verdict) << ": " << a.verdict_detail << "\n";
      return 1;
    }
    if (!a.best) { std::cerr << "FACE_NOT_FOUND: " << key << "\n"; return 1; }
    const vision::Rect& rc = a.best->face.rect;
    out["rect_" + std::to_string(i + 1)] = {{"left", rc.left}, {"top", rc.top}, {"right", rc.right}, {"bottom", rc.bottom}};
    if (a.best->liveness) out["liveness_score_" + std::to_string(i + 1)] = *a.best->liveness;
    features[i] = a.best->feature;
  }
  out["score"] = engine.value()->Score(features[0], features[1]);
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

void AddVisionCommands(CLI::App& app, int& exit_code) {
  auto v = std::make_shared<VisionArgs>();

  auto aa = std::make_shared<AnalyzeArgs>();
  CLI::App* analyze = app.add_subcommand("analyze", "Detect faces, judge quality, compute the feature and liveness of an image (JSON)");
  analyze->add_option("IMAGE", aa->image, "JPEG/PNG/BMP file")->required();
  analyze->add_option("--purpose", aa->purpose, "enrol (default), compare or recognise: selects the format and size limits");
  analyze->add_flag("--liveness", aa->liveness, "Also score liveness");
  analyze->add_flag("--no-feature", aa->no_feature, "Leave the feature vector out of the JSON");
  analyze->add_option("--crop-out", aa->crop_out, "Write the aligned face crop (JPEG) to this file");
  AddModelOptions(analyze, v.get());
  analyze->callback([v, aa, &exit_code] { exit_code = RunAnalyze(*v, *aa); });

  auto ca = std::make_shared<CompareArgs>();
  CLI::App* compare = app.add_subcommand("compare", "Score how likely two photos show the same person, in (0,100]");
  compare->add_option("A", ca->a, "first image")->required();
  compare->add_option("B", ca->b, "second image")->required();
  compare->add_flag("--liveness", ca->liveness, "Also score liveness of both faces");
  AddModelOptions(compare, v.get());
  compare->callback([v, ca, &exit_code] { exit_code = RunCompare(*v, *ca); });
}

}  // namespace facepass::cli
