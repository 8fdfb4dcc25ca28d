// Dev-set evaluation of the vision engine on ../shared/faces: faces found, quality and
// the genuine/impostor score distribution of every pair of single-identity photos.
//
//   eval_vision --faces ../shared/faces --models models [--embedder faceres|faceapi]
//               [--zoom Z] [--min-score S] [--csv pairs.csv]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dataset.h"
#include "vision/engine.h"
#include "vision/pair_metrics.h"

using namespace facepass::vision;

namespace {
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
struct Item {
  std::string path, identity;
  int expected = 0;
  Analysis a;
  double ms = 0;
};
// A "good" photo for calibration: the face is enrol-sized (>= 100 px), passes the blur
// gate and lies wholly inside the image (not cut by the border). Pose is not required.
bool Good(const Item& it) {
  if (!it.a.best) return false;
  const auto& q = it.a.best->quality;
  const Rect& r = it.a.best->face.rect;
  bool inside = r.left > 0 && r.top > 0 && r.right < it.a.width && r.bottom < it.a.height;
  return q.face_min >= 100 && q.blur <= 0.2f && inside;
}
}  // namespace

int main(int argc, char** argv) {
  std::string faces = "../shared/faces", models = "models", csv, features;
  EngineOptions opts;
  opts.pool_size = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--faces") faces = v;
    else if (k == "--models") models = v;
    else if (k == "--embedder") opts.embedder.kind = v;
    else if (k == "--zoom") opts.embedder.zoom = std::stof(v);
    else if (k == "--input-size") opts.embedder.input_size = std::stoi(v);
    else if (k == "--alignment") opts.embedder.alignment = v;
    else if (k == "--min-score") opts.detector.min_score = std::stof(v);
    else if (k == "--csv") csv = v;
    else if (k == "--features") features = v;
    else { fprintf(stderr, "unknown option %s\n", k.c_str()); return 2; }
  }
  opts.models_dir = models;
  auto engine = Engine::Create(opts);
  if (!engine.ok()) { fprintf(stderr, "%s\n", engine.status().ToString().c_str()); return 1; }
  const Engine& e = *engine.value();
  printf("search_model %s\n", e.search_model().c_str());

  auto listed = facepass::eval::ListFaces(faces);
  if (!listed.ok()) { fprintf(stderr, "%s\n", listed.status().ToString().c_str()); return 1; }
  std::vector<Item> items;
  for (const auto& row : *listed) {
    Item it;
    it.path = row.path;
    it.identity = row.identity;
    it.expected = row.expected_faces;
    items.push_back(it);
  }
  AnalyzeOptions ao;
  ao.embed = true;
  ao.liveness = true;
  int found_all = 0, found_best = 0;
  printf("%-36s %5s %5s %6s %-22s %6s %6s %6s %5s %5s %5s %5s %6s %s\n", "image", "faces", "exp", "score",
         "best rect", "yaw", "pitch", "roll", "blur", "brig", "std", "min", "live", "gate");
  for (auto& it : items) {
    std::string bytes = ReadFile(faces + "/" + it.path);
    auto t0 = std::chrono::steady_clock::now();
    auto img = DecodeUpright(bytes);
    if (!img.ok()) { printf("%s: %s\n", it.path.c_str(), img.status().ToString().c_str()); continue; }
    auto r = e.AnalyzePixels(img.value(), Purpose::kRecognise, ao);
    it.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) { printf("%s: %s\n", it.path.c_str(), r.status().ToString().c_str()); continue; }
    it.a = std::move(r.value());
    int nf = int(it.a.faces.size());
    found_all += std::min(nf, it.expected);
    found_best += it.a.best.has_value();
    if (it.a.best) {
      const auto& b = *it.a.best;
      const auto& q = b.quality;
      const Rect& rc = b.face.rect;
      char rect[64];
      snprintf(rect, sizeof rect, "%d,%d,%d,%d", rc.left, rc.top, rc.right, rc.bottom);
      auto gate = FirstFailedGate(q);
      printf("%-36s %5d %5d %6.3f %-22s %6.1f %6.1f %6.1f %5.2f %5.0f %5.1f %5d %6.1f %s (%.0f ms)\n",
             it.path.c_str(), nf, it.expected, b.face.score, rect, q.pose.yaw, q.pose.pitch, q.pose.roll,
             q.blur, q.brightness, q.std_deviation, q.face_min, b.liveness.value_or(-1),
             gate ? gate->c_str() : "pass", it.ms);
    } else {
      printf("%-36s %5d %5d  no face (%.0f ms)\n", it.path.c_str(), nf, it.expected, it.ms);
    }
  }
  int expected_total = 0;
  for (auto& it : items) expected_total += it.expected;
  printf("faces found %d of %d expected; images with a face %d of %zu\n", found_all, expected_total,
         found_best, items.size());

  if (!features.empty()) {  // one line per image: path,identity,f0,f1,...
    std::ofstream fo(features);
    for (const auto& it : items) {
      if (!it.a.best) continue;
      fo << it.path << "," << it.identity;
      for (float x : it.a.best->feature) fo << "," << x;
      fo << "\n";
    }
  }
  // Pairs of single-identity photos (group photos hold several people).
  std::vector<double> gen, imp, gen_good, imp_good;
  std::ofstream out;
  if (!csv.empty()) out.open(csv), out << "a,b,genuine,cosine,score,good\n";
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i + 1; j < items.size(); ++j) {
      const Item &a = items[i], &b = items[j];
      if (a.expected != 1 || b.expected != 1 || !a.a.best || !b.a.best) continue;
      const auto &fa = a.a.best->feature, &fb = b.a.best->feature;
      double cos = 0;
      for (size_t k = 0; k < fa.size(); ++k) cos += double(fa[k]) * fb[k];
      double score = e.ScoreFromSimilarity(float(cos));
      bool genuine = a.identity == b.identity;
      bool good = Good(a) && Good(b);
      (genuine ? gen : imp).push_back(score);
      if (good) (genuine ? gen_good : imp_good).push_back(score);
      if (out) out << a.path << "," << b.path << "," << genuine << "," << cos << "," << score << "," << good << "\n";
    }
  }
  auto report = [](const char* name, std::vector<double> g, std::vector<double> i) {
    PairMetrics m = ComputePairMetrics(g, i, 70.0);
    std::sort(g.begin(), g.end());
    std::sort(i.begin(), i.end());
    auto q = [](const std::vector<double>& v, double p) { return v.empty() ? 0.0 : v[size_t(p * (v.size() - 1))]; };
    printf("%s: genuine %d impostor %d AUC %.4f acc@70 %.4f (FR %d, FA %d) min_genuine %.2f max_impostor %.2f\n",
           name, m.genuine, m.impostor, m.auc, m.accuracy, m.false_rejects, m.false_accepts, m.min_genuine,
           m.max_impostor);
    printf("  genuine  p0 %.1f p10 %.1f p50 %.1f p90 %.1f p100 %.1f\n", q(g, 0), q(g, .1), q(g, .5), q(g, .9), q(g, 1));
    printf("  impostor p0 %.1f p50 %.1f p90 %.1f p99 %.1f p100 %.1f\n", q(i, 0), q(i, .5), q(i, .9), q(i, .99), q(i, 1));
  };
  report("all pairs", gen, imp);
  report("good pairs", gen_good, imp_good);
  return 0;
}
