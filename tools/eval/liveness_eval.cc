// facepass-liveness-eval: the engine's default liveness (the blend of all three models,
// vision::BlendedLiveness) against the liveness pair (human's antispoof x liveness,
// vision::Liveness) and faceplugin's fr_liveness.onnx (vision::FpLiveness).
//
//   facepass-liveness-eval [--faces ../shared/faces] [--lfw ../shared/lfw-dev] [--models models]
//                          [--lfw-limit N] [--spoof-lfw 300] [--examples DIR] [--fp-rgb]
//
// Live: every dev photo and lfw-dev photo (an even sample of N with --lfw-limit) is
// decoded upright, the engine finds the largest face, and both models score that face.
// Spoof-like: each dev photo and an even sample of lfw photos is re-rendered as (a) a
// photo of a screen, (b) a photo of a printed page, (c) a low-resolution recapture; the
// engine detects the face again on the new image and both models score it. These are
// synthetic: they say what each model reacts to, not how it fares against real attacks.
// Also: each model at the threshold that passes 99 % of lfw live photos, fp_liveness's
// mean class probabilities (which class is live; --fp-rgb feeds it RGB as the package's
// JS does), and the median time of one Score call on one thread.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dataset.h"
#include "vision/engine.h"
#include "vision/fp_liveness.h"
#include "vision/liveness.h"

using namespace facepass;
namespace fs = std::filesystem;

namespace {

constexpr float kThreshold = 50.f;  // the service's default liveness threshold

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------------------------------
// Spoof-like renderings. Each takes the whole photo and a seed; all randomness comes from
// cv::RNG(seed) so a run is reproducible.

// Maps the image's corners to a jittered quadrilateral (a camera not square to the
// screen/page), on a canvas of the same size filled with `fill`.
cv::Mat Perspective(const cv::Mat& img, cv::RNG& rng, double jitter, cv::Scalar fill) {
  const float w = float(img.cols), h = float(img.rows);
  std::array<cv::Point2f, 4> src{{{0, 0}, {w - 1, 0}, {w - 1, h - 1}, {0, h - 1}}};
  std::array<cv::Point2f, 4> dst;
  for (int i = 0; i < 4; ++i) {
    float dx = float(rng.uniform(0.0, jitter) * w), dy = float(rng.uniform(0.0, jitter) * h);
    // Pull each corner inwards so nothing is cut off.
    dst[i] = src[i] + cv::Point2f(i == 0 || i == 3 ? dx : -dx, i < 2 ? dy : -dy);
  }
  cv::Mat m = cv::getPerspectiveTransform(src.data(), dst.data()), out;
  cv::warpPerspective(img, out, m, img.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, fill);
  return out;
}

cv::Mat Jpeg(const cv::Mat& img, int quality) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  return cv::imdecode(buf, cv::IMREAD_COLOR);
}

// Caps the longer side (the screen and print renderings work at display size).
cv::Mat Fit(const cv::Mat& img, int max_side) {
  double s = double(max_side) / std::max(img.cols, img.rows);
  if (s >= 1) return img.clone();
  cv::Mat out;
  cv::resize(img, out, cv::Size(), s, s, cv::INTER_AREA);
  return out;
}

// Puts `content` inside a border of `border` pixels of colour `frame`, centred on a
// background canvas `margin` x larger with a vertical gradient from `bg_top` to `bg_bottom`.
cv::Mat Mount(const cv::Mat& content, int border, cv::Scalar frame, double margin, cv::Scalar bg_top,
              cv::Scalar bg_bottom) {
  cv::Mat framed;
  cv::copyMakeBorder(content, framed, border, border, border, border, cv::BORDER_CONSTANT, frame);
  cv::Size size(int(framed.cols * margin), int(framed.rows * margin));
  cv::Mat canvas(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y) {
    double t = double(y) / std::max(1, size.height - 1);
    canvas.row(y).setTo(bg_top * (1 - t) + bg_bottom * t);
  }
  framed.copyTo(canvas(cv::Rect((size.width - framed.cols) / 2, (size.height - framed.rows) / 2, framed.cols,
                                framed.rows)));
  return canvas;
}

// (a) The photo on a monitor/phone, photographed: raised black level and gamma, a blue
// cast, moiré (the display's pixel grid aliased against the camera's sensor: two nearly
// parallel gratings and the low-frequency bands of their beat), a dark bezel,
// perspective, camera blur and JPEG.
cv::Mat ScreenRecapture(const cv::Mat& photo, uint64_t seed) {
  cv::RNG rng(seed);
  cv::Mat f;
  Fit(photo, 900).convertTo(f, CV_32FC3, 1 / 255.0);
  const double gamma = rng.uniform(0.75, 0.9), lift = 0.06;
  const double theta = rng.uniform(0.0, CV_PI), f1 = rng.uniform(0.28, 0.34), df = rng.uniform(0.008, 0.02);
  const double amp = rng.uniform(0.05, 0.09);
  const cv::Vec3f cast(1.08f, 1.0f, 0.9f);  // B, G, R
  const double ct = std::cos(theta), st = std::sin(theta), ct2 = std::cos(theta + 0.03), st2 = std::sin(theta + 0.03);
  for (int y = 0; y < f.rows; ++y) {
    cv::Vec3f* row = f.ptr<cv::Vec3f>(y);
    for (int x = 0; x < f.cols; ++x) {
      const double p1 = 2 * CV_PI * f1 * (x * ct + y * st), p2 = 2 * CV_PI * (f1 + df) * (x * ct2 + y * st2);
      // The fine carrier blurs away in the camera; the aliased beat (phase difference)
      // survives as the visible low-frequency bands.
      float moire = float(1 + amp * (0.6 * std::cos(p2 - p1) + 0.4 * std::sin(p1) * std::sin(p2)));
      for (int c = 0; c < 3; ++c) {
        double v = lift + (1 - lift) * std::pow(std::max(0.f, row[x][c]), gamma);
        row[x][c] = float(std::clamp(v * cast[c] * moire, 0.0, 1.0));
      }
    }
  }
  cv::Mat screen;
  f.convertTo(screen, CV_8UC3, 255);
  const int bezel = std::max(6, int(std::max(screen.cols, screen.rows) * 0.05));
  cv::Mat scene = Mount(screen, bezel, cv::Scalar(18, 18, 20), 1.25, cv::Scalar(150, 160, 170),
                        cv::Scalar(90, 95, 100));
  scene = Perspective(scene, rng, 0.05, cv::Scalar(90, 95, 100));
  cv::GaussianBlur(scene, scene, cv::Size(0, 0), rng.uniform(0.8, 1.4));
  return Jpeg(scene, 70);
}

// (b) The photo printed and photographed: lower contrast and saturation (ink on paper),
// an ordered halftone-like dot screen plus grain, a paper-white border, perspective,
// slight blur and JPEG.
cv::Mat PrintRecapture(const cv::Mat& photo, uint64_t seed) {
  cv::RNG rng(seed);
  cv::Mat img = Fit(photo, 900), hsv;
  cv::cvtColor(img, hsv, cv::COLOR_BGR2HSV);
  std::vector<cv::Mat> ch;
  cv::split(hsv, ch);
  ch[1].convertTo(ch[1], -1, 0.65);
  cv::merge(ch, hsv);
  cv::cvtColor(hsv, img, cv::COLOR_HSV2BGR);
  cv::Mat f;
  img.convertTo(f, CV_32FC3, 0.78 / 255, 0.12);  // paper white is not 1, ink black is not 0
  const double period = rng.uniform(3.0, 4.5), a = CV_PI / 4;  // dots on a 45-degree screen
  const double ca = std::cos(a), sa = std::sin(a);
  cv::Mat grain(f.size(), CV_32FC1);
  rng.fill(grain, cv::RNG::NORMAL, 0, 0.025);
  for (int y = 0; y < f.rows; ++y) {
    cv::Vec3f* row = f.ptr<cv::Vec3f>(y);
    const float* g = grain.ptr<float>(y);
    for (int x = 0; x < f.cols; ++x) {
      double u = (x * ca + y * sa) * 2 * CV_PI / period, v = (-x * sa + y * ca) * 2 * CV_PI / period;
      float dots = float(1 + 0.07 * std::cos(u) * std::cos(v)) + g[x];
      for (int c = 0; c < 3; ++c) row[x][c] = std::clamp(row[x][c] * dots, 0.f, 1.f);
    }
  }
  cv::Mat print;
  f.convertTo(print, CV_8UC3, 255);
  const int border = std::max(8, int(std::max(print.cols, print.rows) * 0.07));
  cv::Mat scene = Mount(print, border, cv::Scalar(232, 238, 242), 1.2, cv::Scalar(70, 90, 110),
                        cv::Scalar(50, 65, 80));  // a wooden desk
  scene = Perspective(scene, rng, 0.06, cv::Scalar(50, 65, 80));
  cv::GaussianBlur(scene, scene, cv::Size(0, 0), rng.uniform(0.6, 1.0));
  return Jpeg(scene, 85);
}

// (c) A blurry low-resolution copy: a quarter of the resolution, scaled back up.
cv::Mat LowResRecapture(const cv::Mat& photo, uint64_t /*seed*/) {
  cv::Mat small, big;
  cv::resize(photo, small, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
  cv::resize(small, big, photo.size(), 0, 0, cv::INTER_LINEAR);
  return Jpeg(big, 75);
}

struct SpoofKind {
  const char* name;
  cv::Mat (*render)(const cv::Mat&, uint64_t);
};
const SpoofKind kSpoofs[] = {{"screen", ScreenRecapture}, {"print", PrintRecapture}, {"lowres", LowResRecapture}};

// ---------------------------------------------------------------------------------------

struct Scores {
  float engine = -1, pair = -1, antispoof = -1, live32 = -1, fp = -1;  // [0,100]; -1 = no face
  std::array<float, 3> fp_p{};
};

struct Models {
  bool fp_rgb = false;  // feed fp_liveness RGB, as the package's JS does (to check the channel order)
  const vision::Engine* engine;
  const vision::Liveness* pair;  // the same files the engine loads, for per-model numbers
  const vision::FpLiveness* fp;
};

Result<Scores> ScoreImage(const Models& m, const cv::Mat& img, vision::DetectedFace* face_out = nullptr) {
  Scores s;
  auto a = m.engine->AnalyzePixels(img, vision::Purpose::kRecognise, {.embed = false, .liveness = true});
  if (!a.ok()) return a.status();
  if (!a->best || !a->best->liveness) return s;
  const vision::DetectedFace& face = a->best->face;
  if (face_out) *face_out = face;
  s.engine = *a->best->liveness;
  float as, lv;
  FP_RETURN_IF_ERROR(m.pair->Probabilities(img, face, &as, &lv));
  s.pair = vision::Liveness::Combine(as, lv);  // what Liveness::Score gives, without running the pair twice
  s.antispoof = 100 * as;
  s.live32 = 100 * lv;
  cv::Mat fp_img = img, swapped;  // a new buffer: cvtColor into fp_img would overwrite img
  if (m.fp_rgb) cv::cvtColor(img, swapped, cv::COLOR_BGR2RGB), fp_img = swapped;  // FpLiveness feeds as is: the net sees RGB
  auto p = m.fp->Probabilities(fp_img, face);
  if (!p.ok()) return p.status();
  s.fp_p = p.value();
  s.fp = 100 * s.fp_p[vision::FpLiveness::kLiveClass];
  return s;
}

struct Named {
  float v;
  std::string path;
};

double Quantile(const std::vector<Named>& sorted, double q) {
  if (sorted.empty()) return NAN;
  return sorted[size_t(std::floor(q * (sorted.size() - 1)))].v;
}

// One line of the live table: how many pass, and the low tail.
void PrintLive(const char* set, const char* model, std::vector<Named> v) {
  std::sort(v.begin(), v.end(), [](const Named& a, const Named& b) { return a.v < b.v; });
  size_t pass = std::count_if(v.begin(), v.end(), [](const Named& n) { return n.v >= kThreshold; });
  std::printf("| %-8s | %-18s | %5zu | %7.2f %% | %6.2f (%s) | %6.2f | %6.2f | %6.2f |\n", set, model, v.size(),
              100.0 * pass / std::max<size_t>(1, v.size()), v.empty() ? NAN : v.front().v,
              v.empty() ? "-" : v.front().path.c_str(), Quantile(v, 0.01), Quantile(v, 0.05), Quantile(v, 0.5));
}

void PrintSpoof(const char* set, const char* kind, const char* model, size_t rendered, std::vector<Named> v) {
  std::sort(v.begin(), v.end(), [](const Named& a, const Named& b) { return a.v < b.v; });
  size_t caught = std::count_if(v.begin(), v.end(), [](const Named& n) { return n.v < kThreshold; });
  std::printf("| %-8s | %-7s | %-18s | %4zu / %4zu | %7.2f %% | %6.2f |\n", set, kind, model, v.size(), rendered,
              100.0 * caught / std::max<size_t>(1, v.size()), Quantile(v, 0.5));
}

constexpr int kModels = 5;
const char* kModelNames[kModels] = {"engine (default)", "pair", "  antispoof alone", "  liveness alone", "fp_liveness"};
float Pick(const Scores& s, int model) {
  switch (model) {
    case 0: return s.engine;
    case 1: return s.pair;
    case 2: return s.antispoof;
    case 3: return s.live32;
    default: return s.fp;
  }
}

struct Photo {
  std::string set, path;  // path relative to the set's root
  fs::path file;
};

// Every k-th element so a limit still spans all identities.
template <typename T>
std::vector<T> EvenSample(const std::vector<T>& all, size_t n) {
  if (n == 0 || n >= all.size()) return all;
  std::vector<T> out;
  for (size_t i = 0; i < n; ++i) out.push_back(all[i * all.size() / n]);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string faces = "../shared/faces", lfw = "../shared/lfw-dev", models = "models", examples, dump;
  size_t lfw_limit = 0, spoof_lfw = 300;
  int timing_runs = 200;
  bool fp_rgb = false;
  CLI::App app{"facepass-liveness-eval: the engine's liveness, the pair and fp_liveness on live and spoof-like photos"};
  app.add_option("--faces", faces, "folder with faces.csv; empty to skip");
  app.add_option("--lfw", lfw, "LFW-layout folder; empty to skip");
  app.add_option("--models", models, "models directory (antispoof, liveness, fp_liveness, detector)");
  app.add_option("--lfw-limit", lfw_limit, "score an even sample of this many lfw photos (0 = all)");
  app.add_option("--spoof-lfw", spoof_lfw, "lfw photos (even sample of those scored) rendered as spoofs");
  app.add_option("--timing-runs", timing_runs, "Score calls per model for the timing");
  app.add_flag("--fp-rgb", fp_rgb, "feed fp_liveness RGB as the package's JS does, not BGR (channel order check)");
  app.add_option("--examples", examples, "write the first dev photo's spoof renderings here");
  app.add_option("--dump", dump, "write every score here as CSV (set,kind,photo,engine,pair,antispoof,liveness,fp) for offline fusion");
  CLI11_PARSE(app, argc, argv);

  cv::setNumThreads(1);
  vision::EngineOptions eo;
  eo.models_dir = models;
  eo.pool_size = 1;
  auto engine = vision::Engine::Create(eo);
  if (!engine.ok()) return std::fprintf(stderr, "engine: %s\n", engine.status().ToString().c_str()), 1;
  auto runtime = vision::OpenRuntime(eo.runtime);  // the engine's: same options
  if (!runtime.ok()) return std::fprintf(stderr, "runtime: %s\n", runtime.status().ToString().c_str()), 1;
  const vision::LoadOptions load{runtime->runtime, 1};
  auto pair = vision::Liveness::Create(fs::path(models) / "antispoof.onnx", fs::path(models) / "liveness.onnx", load);
  if (!pair.ok()) return std::fprintf(stderr, "liveness pair: %s\n", pair.status().ToString().c_str()), 1;
  if (!pair.value()->has_antispoof() || !pair.value()->has_liveness())
    return std::fprintf(stderr, "liveness pair: both antispoof.onnx and liveness.onnx are needed\n"), 1;
  auto fp = vision::FpLiveness::Create(fs::path(models) / "fp_liveness.onnx", load);
  if (!fp.ok()) return std::fprintf(stderr, "fp_liveness: %s\n", fp.status().ToString().c_str()), 1;
  const Models m{fp_rgb, engine.value().get(), pair.value().get(), fp.value().get()};
  std::FILE* dump_file = nullptr;
  if (!dump.empty()) {
    dump_file = std::fopen(dump.c_str(), "w");
    if (!dump_file) return std::fprintf(stderr, "%s: cannot write\n", dump.c_str()), 1;
    std::fprintf(dump_file, "set,kind,photo,engine,pair,antispoof,liveness,fp\n");
  }
  auto dump_row = [&](const std::string& set, const char* kind, const std::string& path, const Scores& s) {
    if (dump_file)
      std::fprintf(dump_file, "%s,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f\n", set.c_str(), kind, path.c_str(), s.engine, s.pair,
                   s.antispoof,
                   s.live32, s.fp);
  };
  std::printf("# liveness: engine %s; %s vs %s (threshold %.0f)\n",
              engine.value()->Models().liveness ? engine.value()->Models().liveness->id.c_str() : "none",
              m.pair->id().c_str(), m.fp->id().c_str(), kThreshold);

  std::vector<Photo> dev, lfw_photos;
  if (!faces.empty()) {
    auto list = eval::ListFaces(faces);
    if (!list.ok()) return std::fprintf(stderr, "%s\n", list.status().ToString().c_str()), 1;
    for (const auto& p : list.value()) dev.push_back({"dev", p.path, fs::path(faces) / p.path});
  }
  if (!lfw.empty()) {
    auto list = eval::ListLfw(lfw);
    if (!list.ok()) return std::fprintf(stderr, "%s\n", list.status().ToString().c_str()), 1;
    for (const auto& p : EvenSample(list.value(), lfw_limit)) lfw_photos.push_back({"lfw", p.path, fs::path(lfw) / p.path});
  }

  // Live photos. Keep the decoded image of those that will be rendered as spoofs.
  std::map<std::string, std::array<std::vector<Named>, kModels>> live;  // set -> model -> scores
  std::map<std::string, std::array<double, 3>> class_sum;          // set -> sum of fp class probabilities
  std::map<std::string, int> no_face, unreadable;
  std::vector<std::pair<Photo, cv::Mat>> spoof_sources;
  std::vector<std::pair<cv::Mat, vision::DetectedFace>> timing_inputs;
  std::set<std::string> spoof_lfw_paths;
  for (const Photo& p : EvenSample(lfw_photos, spoof_lfw)) spoof_lfw_paths.insert(p.path);
  auto t0 = std::chrono::steady_clock::now();
  for (const auto* set : {&dev, &lfw_photos}) {
    for (size_t i = 0; i < set->size(); ++i) {
      const Photo& p = (*set)[i];
      auto img = vision::DecodeUpright(ReadFile(p.file));
      if (!img.ok()) { ++unreadable[p.set]; continue; }
      vision::DetectedFace face;
      auto s = ScoreImage(m, img.value(), &face);
      if (!s.ok()) return std::fprintf(stderr, "%s: %s\n", p.path.c_str(), s.status().ToString().c_str()), 1;
      if (s->engine < 0) { ++no_face[p.set]; continue; }
      dump_row(p.set, "live", p.path, s.value());
      for (int k = 0; k < kModels; ++k) live[p.set][k].push_back({Pick(s.value(), k), p.path});
      for (int c = 0; c < 3; ++c) class_sum[p.set][c] += s->fp_p[c];
      if (p.set == "dev" || spoof_lfw_paths.count(p.path)) spoof_sources.emplace_back(p, img.value());
      if (timing_inputs.size() < 50) timing_inputs.emplace_back(img.value(), face);
      if (p.set == "lfw" && (i + 1) % 500 == 0)
        std::fprintf(stderr, "lfw %zu/%zu (%.0f s)\n", i + 1, set->size(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }

  std::printf("\n## Live photos (higher = more live; a live photo passes at >= %.0f)\n\n", kThreshold);
  for (const char* set : {"dev", "lfw"})
    if (no_face[set] || unreadable[set])
      std::printf("%s: %d photos without a face, %d unreadable (not counted)\n", set, no_face[set], unreadable[set]);
  std::printf("\n| set      | model              | count | >= %.0f     | min (photo) | p1     | p5     | median |\n",
              kThreshold);
  std::printf("|----------|--------------------|-------|-----------|-------------|--------|--------|--------|\n");
  for (const char* set : {"dev", "lfw"})
    for (int k = 0; k < kModels; ++k)
      if (!live[set][k].empty()) PrintLive(set, kModelNames[k], live[set][k]);
  std::printf("\nfp_liveness mean softmax per class on live photos (which class is live; input %s):\n",
              fp_rgb ? "RGB" : "BGR");
  for (const char* set : {"dev", "lfw"}) {
    size_t n = live[set][4].size();
    if (n) std::printf("  %s: class0 %.4f  class1 %.4f  class2 %.4f\n", set, class_sum[set][0] / n,
                       class_sum[set][1] / n, class_sum[set][2] / n);
  }

  // Spoof-like renderings of the same photos.
  std::map<std::string, std::map<std::string, std::array<std::vector<Named>, kModels>>> spoof;  // set -> kind -> model
  std::map<std::string, std::map<std::string, size_t>> rendered;
  std::map<std::string, std::map<std::string, std::array<double, 3>>> spoof_class_sum;
  uint64_t seed = 1;
  for (const auto& [p, img] : spoof_sources) {
    for (const SpoofKind& kind : kSpoofs) {
      cv::Mat fake;
      try {
        fake = kind.render(img, seed++);
      } catch (const cv::Exception& e) {
        return std::fprintf(stderr, "%s %s: %s\n", kind.name, p.path.c_str(), e.what()), 1;
      }
      if (!examples.empty() && &p == &spoof_sources.front().first) {
        fs::create_directories(examples);
        cv::imwrite((fs::path(examples) / (std::string(kind.name) + ".png")).string(), fake);
      }
      ++rendered[p.set][kind.name];
      auto s = ScoreImage(m, fake);
      if (!s.ok()) return std::fprintf(stderr, "%s: %s\n", p.path.c_str(), s.status().ToString().c_str()), 1;
      if (s->engine < 0) continue;  // the detector lost the face: counted as rendered, not scored
      dump_row(p.set, kind.name, p.path, s.value());
      for (int k = 0; k < kModels; ++k) spoof[p.set][kind.name][k].push_back({Pick(s.value(), k), p.path});
      for (int c = 0; c < 3; ++c) spoof_class_sum[p.set][kind.name][c] += s->fp_p[c];
    }
  }
  std::printf("\n## Spoof-like renderings (caught = scores < %.0f; scored = the detector still found a face)\n\n",
              kThreshold);
  std::printf("| set      | kind    | model              | scored/rendered | caught    | median |\n");
  std::printf("|----------|---------|--------------------|-----------------|-----------|--------|\n");
  for (const char* set : {"dev", "lfw"})
    for (const SpoofKind& kind : kSpoofs)
      for (int k = 0; k < kModels; ++k)
        if (!spoof[set][kind.name][k].empty())
          PrintSpoof(set, kind.name, kModelNames[k], rendered[set][kind.name], spoof[set][kind.name][k]);

  // The default threshold is one operating point; this compares the models at equal cost
  // to real users: the threshold each model needs for 99 % of lfw live photos to pass.
  if (!live["lfw"][0].empty()) {
    std::printf("\n## At each model's own threshold that passes 99 %% of lfw live photos\n\n");
    std::printf("| model              | threshold | dev live pass | caught: dev screen/print/lowres | lfw screen/print/lowres |\n");
    std::printf("|--------------------|-----------|---------------|---------------------------------|-------------------------|\n");
    for (int k = 0; k < kModels; ++k) {
      std::vector<Named> v = live["lfw"][k];
      std::sort(v.begin(), v.end(), [](const Named& a, const Named& b) { return a.v < b.v; });
      const float t = float(Quantile(v, 0.01));
      auto below = [&](const std::vector<Named>& x) {
        return x.empty() ? NAN : 100.0 * std::count_if(x.begin(), x.end(), [&](const Named& n) { return n.v < t; }) / x.size();
      };
      std::printf("| %-18s | %9.2f | %11.1f %% |", kModelNames[k], t, 100 - below(live["dev"][k]));
      for (const char* set : {"dev", "lfw"}) {
        std::printf(" ");
        for (const SpoofKind& kind : kSpoofs) std::printf("%5.1f%s", below(spoof[set][kind.name][k]), kind.name[0] == 'l' ? " %" : " /");
        std::printf(" |");
      }
      std::printf("\n");
    }
  }

  std::printf("\nfp_liveness mean softmax per class on the renderings:\n");
  for (const char* set : {"dev", "lfw"})
    for (const SpoofKind& kind : kSpoofs) {
      size_t n = spoof[set][kind.name][4].size();
      const auto& c = spoof_class_sum[set][kind.name];
      if (n) std::printf("  %s %-7s class0 %.4f  class1 %.4f  class2 %.4f\n", set, kind.name, c[0] / n, c[1] / n, c[2] / n);
    }

  // Mean live against mean screen rendering on the dev photos (what the unit test relies on).
  for (int k = 0; k < kModels; ++k) {
    auto mean = [](const std::vector<Named>& v) {
      double s = 0;
      for (const auto& n : v) s += n.v;
      return v.empty() ? NAN : s / v.size();
    };
    std::printf("%s: dev live mean %.2f, dev screen mean %.2f\n", kModelNames[k], mean(live["dev"][k]),
                mean(spoof["dev"]["screen"][k]));
  }

  // Timing: one Score call, single thread, on detected faces of the first photos.
  std::printf("\n## Timing (median of %d Score calls, cv::setNumThreads(1), after 5 warm-up calls)\n\n",
              timing_runs);
  auto time_it = [&](auto&& call) {
    std::vector<double> ms;
    for (int i = -5; i < timing_runs; ++i) {
      const auto& [img, face] = timing_inputs[size_t(std::max(0, i)) % timing_inputs.size()];
      auto a = std::chrono::steady_clock::now();
      bool ok = call(img, face);
      auto b = std::chrono::steady_clock::now();
      if (!ok) return -1.0;
      if (i >= 0) ms.push_back(std::chrono::duration<double, std::milli>(b - a).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  if (!timing_inputs.empty() && timing_runs > 0) {
    double tp = time_it([&](const cv::Mat& i, const vision::DetectedFace& f) { return m.pair->Score(i, f).ok(); });
    double te = time_it([&](const cv::Mat& i, const vision::DetectedFace& f) {
      return m.engine->AnalyzePixels(i, vision::Purpose::kRecognise, {.embed = false, .liveness = true}).ok();
    });
    double tf = time_it([&](const cv::Mat& i, const vision::DetectedFace& f) { return m.fp->Score(i, f).ok(); });
    std::printf("| model          | median ms |\n|----------------|-----------|\n");
    std::printf("| pair           | %9.2f |\n| fp_liveness    | %9.2f |\n", tp, tf);
    std::printf("| engine analysis with liveness (detection included) | %9.2f |\n", te);
  }
  if (dump_file && std::fclose(dump_file) != 0) return std::fprintf(stderr, "%s: write failed\n", dump.c_str()), 1;
  return 0;
}
