// facepass-eval: measures recognition as a user meets it, on labelled photo sets.
//
//   facepass-eval [--lfw ../shared/lfw-dev] [--faces ../shared/faces] [--models models]
//                 [--embedder-kind K --embedder-model F] [--threads 2] [--cache .cache/eval]
//                 [--fusion on|off --fusion-model F --fusion-weight 0.4]
//                 [--gallery 300 --strangers 600 --draws 10]
//                 [--write-calibration models/arcface.score.json]
//                 [--sweep [--sweep-sizes 100,300,...] [--sweep-thresholds 70,78,...]]
//
// Every photo goes through the enrol path's engine call (validation, detection, quality
// gates, alignment, embedding). Prints, per set: what the enrol gates refuse and why;
// 1:1 over every genuine and impostor pair (ROC AUC, FAR/FRR at the compare threshold,
// TAR at FAR 1e-3/1e-4/1e-5); open-set 1:N at the recognise threshold (TPIR, FPIR,
// rank-1, over random draws of gallery and strangers); liveness spread. With
// --write-calibration the score map is fitted on lfw impostors and written as the
// embedder's calibration file (with the per-pair FAR and the genuine refusals by
// score); the tables then use the new map. --sweep replaces the lfw tables by the
// open-set sweep over group size and threshold against the calibration's
// prediction (issue 30, open_set_sweep.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "calibration_tables.h"
#include "dataset.h"
#include "metrics.h"
#include "open_set_sweep.h"
#include "service/stranger_odds.h"
#include "service/thresholds.h"
#include "vision/model_registry.h"
#include "vision/score.h"

using namespace facepass;
using namespace facepass::eval;

namespace {

struct Flags {
  std::string lfw = "../shared/lfw-dev", faces = "../shared/faces", models = "models";
  std::string embedder_kind, embedder_model, cache = ".cache/eval", write_calibration;
  std::string fusion, fusion_model;
  float fusion_weight = vision::FusionConfig{}.weight;
  int threads = 2, gallery = 300, strangers = 600, draws = 10;
  bool sweep = false;
  // 1 << 30: every enrollable person (963 on lfw-dev).
  std::vector<int> sweep_sizes = {100, 200, 300, 500, 700, 1 << 30};
  std::vector<double> sweep_thresholds = {62, 66, 70, 74, 78, 82, 86};
};

const double kRecognise = service::ThresholdValues::kDefaultRecognize;
const double kCompare = service::ThresholdValues::kDefaultCompare;
const double kLiveness = service::ThresholdValues::kDefaultLiveness;

void PrintRefusals(const char* set, const std::vector<Photo>& photos) {
  std::map<std::string, int> why;
  int found = 0;
  for (const Photo& p : photos) {
    found += p.found;
    if (!p.refusal.empty()) ++why[p.refusal];
  }
  int refused = 0;
  for (auto& [k, n] : why) refused += n;
  std::printf("\n## %s: %zu photos, face found in %d; the enrol path refuses %d (%.1f %%)\n", set, photos.size(),
              found, refused, 100.0 * refused / std::max<size_t>(1, photos.size()));
  for (auto& [k, n] : why) std::printf("  %-16s %5d\n", k.c_str(), n);
}

void PrintOneToOne(const char* label, const OneToOne& r) {
  auto tar = [](double v) { return v < 0 ? std::string("n/a") : std::to_string(v * 100).substr(0, 6) + " %"; };
  std::printf("| %-22s | %9zu | %11zu | %.5f | %8.4f %% | %7.3f %% | %s | %s | %s |\n", label, r.genuine, r.impostor,
              r.auc, r.far * 100, r.frr * 100, tar(r.tar_at_far[0]).c_str(), tar(r.tar_at_far[1]).c_str(),
              tar(r.tar_at_far[2]).c_str());
}

void PrintOpenSet(const OpenSet& o) {
  std::printf("people with 2+ photos %d, none enrollable %d; %zu draws\n", o.identities_multi, o.identities_refused,
              o.draws.size());
  if (o.draws.empty()) return;
  auto stats = [&](auto field) {
    std::vector<double> v;
    for (const auto& d : o.draws) v.push_back(d.*field);
    std::sort(v.begin(), v.end());
    double mean = 0;
    for (double x : v) mean += x;
    mean /= v.size();
    return std::array<double, 4>{mean, v.front(), v[v.size() / 2], v.back()};
  };
  std::printf("| at recognise %.0f | mean | min | median | max |\n|---|---|---|---|---|\n", kRecognise);
  auto row = [&](const char* name, double OpenSetDraw::*f) {
    auto s = stats(f);
    std::printf("| %s | %.4f | %.4f | %.4f | %.4f |\n", name, s[0], s[1], s[2], s[3]);
  };
  row("TPIR", &OpenSetDraw::tpir);
  row("FPIR", &OpenSetDraw::fpir);
  row("rank-1", &OpenSetDraw::rank1);
  const auto& d0 = o.draws.front();
  std::printf("(each draw: %d enrolled, %d genuine probes, %d strangers)\n", d0.enrolled, d0.genuine_probes,
              d0.strangers);
}

void PrintLiveness(const char* set, const std::vector<Photo>& photos) {
  std::vector<std::pair<float, std::string>> v;
  for (const Photo& p : photos)
    if (p.found && p.liveness >= 0) v.emplace_back(p.liveness, p.path);
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  auto q = [&](double f) { return v[size_t(f * (v.size() - 1))].first; };
  size_t pass = v.end() - std::lower_bound(v.begin(), v.end(), std::make_pair(float(kLiveness), std::string()));
  std::printf("liveness %s: %zu live photos, %.2f %% >= %.0f; min %.1f (%s), p1 %.1f, p5 %.1f, median %.1f\n", set,
              v.size(), 100.0 * pass / v.size(), kLiveness, v.front().first, v.front().second.c_str(), q(0.01),
              q(0.05), q(0.5));
}

// Genuine and impostor pairs of the dev photos, and the case the issue names.
void PrintFacesPairs(const std::vector<Photo>& photos, const ScoreFn& score) {
  float max_imp = -2, min_gen = 2;
  std::string max_imp_pair, min_gen_pair;
  int gen = 0, gen_pass = 0, imp = 0, imp_over = 0;
  const Photo *o1 = nullptr, *o4 = nullptr;
  for (size_t i = 0; i < photos.size(); ++i) {
    const Photo& a = photos[i];
    if (a.path == "obama/1.jpg") o1 = &a;
    if (a.path == "obama/4.jpg") o4 = &a;
    for (size_t j = i + 1; j < photos.size(); ++j) {
      const Photo& b = photos[j];
      if (!a.found || !b.found || a.expected_faces != 1 || b.expected_faces != 1) continue;
      float c = Cosine(a, b);
      std::string pair = a.path + " ~ " + b.path;
      if (a.identity == b.identity) {
        ++gen;
        gen_pass += score(c) >= kCompare;
        if (c < min_gen) min_gen = c, min_gen_pair = pair;
      } else {
        ++imp;
        imp_over += score(c) >= kCompare;
        if (c > max_imp) max_imp = c, max_imp_pair = pair;
      }
    }
  }
  std::printf("dev pairs: genuine %d, %d reach %.0f; lowest %.1f (%s)\n", gen, gen_pass, kCompare, score(min_gen),
              min_gen_pair.c_str());
  std::printf("dev pairs: impostor %d, %d reach %.0f; highest %.1f (%s)\n", imp, imp_over, kCompare, score(max_imp),
              max_imp_pair.c_str());
  if (o1 && o4 && o1->found && o4->found) {
    float c = Cosine(*o1, *o4);
    std::printf("obama/4.jpg against enrolled obama/1.jpg: score %.1f (%s at %.0f)\n", score(c),
                score(c) >= kRecognise ? "passes" : "FAILS", kRecognise);
  }
}

// `dir/<rank>_<path>.png`: the photo with every face box and the chosen face's mesh,
// beside the aligned crop the embedder saw.
void DumpPhoto(const vision::Engine& engine, const std::string& root, const Photo& p, int rank,
               const std::string& dir) {
  std::string bytes = ReadFile(root + "/" + p.path);
  auto a = engine.Analyze(bytes, vision::Purpose::kEnrol, {.embed = true, .liveness = false});
  cv::Mat img = cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR);
  if (!a.ok() || !a->best || img.empty()) return;
  for (const auto& fc : a->faces)
    cv::rectangle(img, {fc.rect.left, fc.rect.top, fc.rect.width(), fc.rect.height()}, {0, 0, 255}, 1);
  for (const auto& q : a->best->mesh) cv::circle(img, q, 0, {0, 255, 0}, -1);
  cv::Mat crop, row;
  cv::resize(a->best->aligned, crop, {img.rows, img.rows});
  cv::hconcat(img, crop, row);
  std::string name = p.path;
  std::replace(name.begin(), name.end(), '/', '_');
  cv::imwrite(dir + "/" + std::to_string(rank) + "_" + name + ".png", row);
}

// The photos most often on the failing side of a genuine pair: where misses come from.
void PrintWorst(const std::vector<Photo>& photos, const ScoreFn& score, int n, const vision::Engine* dump_engine,
                const std::string& root, const std::string& dump) {
  std::vector<int> fails(photos.size(), 0), pairs(photos.size(), 0);
  for (size_t i = 0; i < photos.size(); ++i)
    for (size_t j = i + 1; j < photos.size() && photos[j].identity == photos[i].identity; ++j) {
      if (!photos[i].found || !photos[j].found) continue;
      ++pairs[i], ++pairs[j];
      if (score(Cosine(photos[i], photos[j])) < kCompare) ++fails[i], ++fails[j];
    }
  std::vector<size_t> order(photos.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return fails[a] > fails[b]; });
  std::printf("\n## photos on the failing side of genuine pairs (top %d)\n| photo | fails/pairs | faces | rect | refusal |\n|---|---|---|---|---|\n", n);
  for (int k = 0; k < n && k < int(order.size()); ++k) {
    const Photo& p = photos[order[k]];
    if (!fails[order[k]]) break;
    if (!dump.empty()) DumpPhoto(*dump_engine, root, p, k, dump);
    std::printf("| %s | %d/%d | %d | %d,%d %dx%d | %s |\n", p.path.c_str(), fails[order[k]], pairs[order[k]], p.faces,
                p.rect.left, p.rect.top, p.rect.width(), p.rect.height(), p.refusal.c_str());
  }
  int nofaces = 0, multi = 0;
  for (const Photo& p : photos) nofaces += !p.found, multi += p.faces > 1;
  std::printf("photos without a face: %d; with more than one face: %d\n", nofaces, multi);
}

std::string Today() {
  std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

// Identities split in two halves by a fixed hash of the name (FNV-1a).
bool HalfA(const std::string& id) {
  uint32_t h = 2166136261u;
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  return (h & 1) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  int flip = -1, worst = 0;
  std::string dump;
  std::string detector_kind, alignment;
  float min_score = 0.6f;
  CLI::App app{"facepass-eval: recognition accuracy on labelled photo sets"};
  app.add_option("--lfw", f.lfw, "LFW-layout folder (<Name>/<Name>_NNNN.jpg); empty to skip");
  app.add_option("--faces", f.faces, "folder with faces.csv; empty to skip");
  app.add_option("--models", f.models, "models directory");
  app.add_option("--embedder-kind", f.embedder_kind, "arcface (default) | faceres | faceapi")
      ->check(CLI::IsMember(vision::KindNameList(vision::EmbedderSpecs())));
  app.add_option("--embedder-model", f.embedder_model, "ONNX embedder file");
  app.add_option("--alignment", alignment, "template | mesh_box | dlib | landmark_box (default: the kind's)");
  app.add_option("--fusion", f.fusion, "on | off; default: on for the default embedder (with mobilefacenet.onnx)");
  app.add_option("--fusion-model", f.fusion_model, "second embedder's ONNX file (arcface kind)");
  app.add_option("--fusion-weight", f.fusion_weight, "the first embedder's share of the fused cosine");
  app.add_option("--detector-kind", detector_kind, "blazeface (default) | rfb | scrfd")
      ->check(CLI::IsMember(vision::KindNameList(vision::DetectorSpecs())));
  app.add_option("--min-score", min_score, "detector score threshold");
  app.add_option("--dump", dump, "with --worst: write each listed photo with its boxes, mesh and aligned crop here");
  app.add_option("--worst", worst, "list the N photos most often on the failing side of a genuine pair");
  app.add_option("--flip", flip, "1: embed the mirrored crop too (flip test)");
  app.add_option("--threads", f.threads, "extraction threads");
  app.add_option("--cache", f.cache, "folder for extracted features (keyed by search_model); empty: none");
  app.add_option("--gallery", f.gallery, "people enrolled per open-set draw");
  app.add_option("--strangers", f.strangers, "people never enrolled per draw");
  app.add_option("--draws", f.draws, "random draws of gallery and strangers");
  app.add_option("--write-calibration", f.write_calibration, "fit the score map on lfw impostors and write it here");
  app.add_flag("--sweep", f.sweep, "open-set sweep over group size x threshold instead of the lfw tables");
  app.add_option("--sweep-sizes", f.sweep_sizes, "gallery sizes (clipped to the enrollable people)")->delimiter(',');
  app.add_option("--sweep-thresholds", f.sweep_thresholds, "recognise thresholds")->delimiter(',');
  std::string runtime;
  app.add_option("--runtime", runtime, "onnxruntime | opencv (default: onnxruntime when its library loads)")
      ->check(CLI::IsMember({"onnxruntime", "opencv"}));
  CLI11_PARSE(app, argc, argv);

  vision::EngineOptions opts;
  opts.models_dir = f.models;
  opts.pool_size = std::max(1, f.threads);
  opts.embedder.kind = f.embedder_kind;
  opts.embedder.file = f.embedder_model;
  opts.embedder.flip = flip;
  opts.embedder.alignment = alignment;
  opts.fusion.mode = f.fusion;
  opts.fusion.second.file = f.fusion_model;
  opts.fusion.second.flip = flip;
  opts.fusion.weight = f.fusion_weight;
  opts.detector.kind = detector_kind;
  opts.detector.min_score = min_score;
  if (!runtime.empty()) opts.runtime.kind = vision::ParseRuntimeKind(runtime).value();  // checked by the flag
  auto engine = vision::Engine::Create(opts);
  if (!engine.ok()) {
    std::fprintf(stderr, "facepass-eval: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  const vision::Engine& e = **engine;
  const vision::RuntimeInfo rt = e.Models().runtime;
  std::printf("# facepass-eval %s\nsearch_model %s\nruntime %s %s%s\n", Today().c_str(), e.search_model().c_str(),
              rt.name.c_str(), rt.version.c_str(), rt.fallback.empty() ? "" : (" (" + rt.fallback + ")").c_str());
  ScoreFn score = [&](float c) { return e.ScoreFromSimilarity(c); };
  vision::ScoreMap fitted;

  // The cache holds refusals too: bump "q2" when the quality measures change. It holds
  // liveness scores as well, so the liveness models name it too, and the runtime (its
  // features are not bit-identical to the other's, though search_model is the same).
  const auto live = e.Models().liveness;
  const std::string liveness_key = "-" + (live ? live->id : std::string("noliveness")) + "-" + rt.name;
  auto cache_for = [&](const std::string& set) {
    return f.cache.empty() ? std::filesystem::path() : std::filesystem::path(f.cache) / (set + liveness_key + ".bin");
  };
  if (!f.lfw.empty()) {
    auto photos = ListLfw(f.lfw);
    if (!photos.ok()) { std::fprintf(stderr, "facepass-eval: %s\n", photos.status().ToString().c_str()); return 1; }
    Status s = Extract(e, f.lfw, &*photos, f.threads, cache_for("lfw-q2-" + detector_kind + "-" + e.search_model()));
    if (!s.ok()) { std::fprintf(stderr, "facepass-eval: %s\n", s.ToString().c_str()); return 1; }
    PrintRefusals("lfw", *photos);
    // Every pair (20 M on lfw-dev) only where a table needs them.
    PairSet pairs;
    if (!f.sweep || !f.write_calibration.empty()) pairs = AllPairs(*photos, f.threads);
    vision::CalibrationTables tables = e.Models().score.tables;
    if (!f.write_calibration.empty()) {
      // Held-out check first: fit on one half of the identities, measure on the other.
      PairSet a = AllPairs(*photos, f.threads, [](const Photo& p) { return HalfA(p.identity); });
      PairSet b = AllPairs(*photos, f.threads, [](const Photo& p) { return !HalfA(p.identity); });
      vision::ScoreMap map_a(FitKnots(a.impostor)), map_b(FitKnots(b.impostor));
      fitted = vision::ScoreMap(FitKnots(pairs.impostor));
      std::printf("\n## Score calibration (lfw impostor pairs: %zu)\n", pairs.impostor.size());
      std::printf("| score | meant FAR | cosine | measured FAR (pairs >= score) | FAR on half B, fitted on A | FAR on "
                  "half A, fitted on B |\n|---|---|---|---|---|---|\n");
      nlohmann::json table = nlohmann::json::array();
      for (double sc : {46.0, 54.0, 62.0, 66.0, 70.0, 74.0, 78.0, 82.0, 86.0}) {
        ScoreFn fs = [&](float c) { return fitted.Map(c); };
        ScoreFn fa = [&](float c) { return map_a.Map(c); };
        ScoreFn fb = [&](float c) { return map_b.Map(c); };
        double far = FractionAtOrAbove(pairs.impostor, fs, sc);
        size_t above = size_t(std::llround(far * pairs.impostor.size()));
        double fab = FractionAtOrAbove(b.impostor, fa, sc), fba = FractionAtOrAbove(a.impostor, fb, sc);
        double meant = std::pow(10.0, -(sc - 38.0) / 8.0);
        std::printf("| %.0f | %.1e | %.4f | %.2e (%zu) | %.2e | %.2e |\n", sc, meant, fitted.Inverse(float(sc)), far,
                    above, fab, fba);
        table.push_back({{"score", sc}, {"meant_far", meant}, {"cosine", fitted.Inverse(float(sc))},
                         {"measured_far", far}, {"impostor_pairs_at_or_above", above},
                         {"far_half_b_fitted_on_a", fab}, {"far_half_a_fitted_on_b", fba}});
      }
      // The genuine pairs a gate meets: an enrolled photo (passes the gates) and a capture.
      PairSet unenrollable = AllPairs(*photos, f.threads, [](const Photo& p) { return !p.refusal.empty(); });
      std::vector<float> enrolled_genuine;
      std::set_difference(pairs.genuine.begin(), pairs.genuine.end(), unenrollable.genuine.begin(),
                          unenrollable.genuine.end(), std::back_inserter(enrolled_genuine));
      tables = MeasureTables(pairs.impostor, enrolled_genuine, [&](float c) { return fitted.Map(c); });
      tables.far_source = "lfw-dev impostor pairs (every pair of photos of two people), facepass-eval " + Today();
      tables.genuine_source = "lfw-dev genuine pairs with at least one photo the enrol gates accept, facepass-eval " +
                              Today();
      nlohmann::json knots = nlohmann::json::array();
      for (auto [c, s2] : fitted.knots()) knots.push_back({c, s2});
      const vision::ModelDetails detail = e.Models();
      nlohmann::json out = {
          {"embedder", detail.embedder.kind},
          {"model_file", detail.embedder.file},
          {"fused_with", detail.fused_with ? detail.fused_with->file : ""},
          {"fusion_weight", detail.fusion_weight},
          {"model_content_id", detail.calibration_model_id},
          {"fitted_on", "lfw-dev impostor pairs (" + std::to_string(pairs.impostor.size()) + " pairs), facepass-eval " +
                            Today()},
          {"rule", "score = 38 + 8*log10(1/FAR) from FAR 0.5 to 1e-6 (70 = 1e-4, 78 = 1e-5); linear to 0.01 at "
                   "cosine -1 and to 100 at cosine 1"},
          {"knots", knots},
          {"table", table}};
      out.update(TablesJson(tables));
      std::ofstream o(f.write_calibration);
      o << out.dump(1) << "\n";
      if (!o) { std::fprintf(stderr, "facepass-eval: cannot write %s\n", f.write_calibration.c_str()); return 1; }
      std::printf("wrote %s (the tables below use it)\n", f.write_calibration.c_str());
      score = [&](float c) { return fitted.Map(c); };
    }
    if (f.sweep) {
      SweepOptions so{f.sweep_sizes, f.sweep_thresholds, f.draws, f.threads};
      const service::StrangerOdds odds(tables);
      std::printf("\n## open-set sweep over group size and threshold (lfw-dev, %d draws)\n", f.draws);
      PrintSweep(MeasureSweep(*photos, score, so), so,
                 [&](double t, int n) { return odds.PassRate(t, n).value; });
      return 0;
    }
    std::printf("\n## 1:1 compare at %.0f\n| set | genuine | impostor | ROC AUC | FAR | FRR | TAR@1e-3 | TAR@1e-4 | "
                "TAR@1e-5 |\n|---|---|---|---|---|---|---|---|---|\n", kCompare);
    PrintOneToOne("lfw-dev, all pairs", MeasureOneToOne(pairs, score, kCompare));
    // Compare has no gates, so the row above includes photos enrol would refuse (small,
    // blurred, turned): where the misses come from. This row is what a gate meets when
    // both photos are of enrollable quality.
    PrintOneToOne("lfw-dev, both pass the enrol gates",
                  MeasureOneToOne(AllPairs(*photos, f.threads, [](const Photo& p) { return p.refusal.empty(); }),
                                  score, kCompare));
    if (worst > 0) PrintWorst(*photos, score, worst, &e, f.lfw, dump);
    std::printf("\n## open-set 1:N (lfw-dev)\n");
    PrintOpenSet(MeasureOpenSet(*photos, score, kRecognise, f.gallery, f.strangers, f.draws));
    PrintLiveness("lfw-dev", *photos);
  }
  if (!f.faces.empty()) {
    auto photos = ListFaces(f.faces);
    if (!photos.ok()) { std::fprintf(stderr, "facepass-eval: %s\n", photos.status().ToString().c_str()); return 1; }
    Status s = Extract(e, f.faces, &*photos, f.threads, cache_for("faces-q2-" + detector_kind + "-" + e.search_model()));
    if (!s.ok()) { std::fprintf(stderr, "facepass-eval: %s\n", s.ToString().c_str()); return 1; }
    PrintRefusals("shared/faces", *photos);
    PrintFacesPairs(*photos, score);
    PrintLiveness("shared/faces", *photos);
  }
  return 0;
}
