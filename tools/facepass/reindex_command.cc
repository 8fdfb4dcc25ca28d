#include "reindex_command.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "store/database.h"
#include "store/dir_lock.h"
#include "store/file_store.h"
#include "store/search_model_file.h"
#include "store/token_cipher.h"
#include "model_flags.h"
#include "vision/engine.h"

namespace facepass::cli {
namespace {

struct ReindexFlags {
  std::string data_dir;
  std::string models_dir = "./models";
  int threads = 2;
  bool drop_failed = false;
  ModelFlags models;  // as for serve
};

// Below this overlap a detection is someone else, not the enrolled face
// (boxes of one face from two detectors overlap far more).
constexpr double kMinIoU = 0.3;

double IoU(const vision::Rect& a, const store::Rect& b) {
  const double iw = std::max(0, std::min(a.right, b.right) - std::max(a.left, b.left));
  const double ih = std::max(0, std::min(a.bottom, b.bottom) - std::max(a.top, b.top));
  const double inter = iw * ih;
  const double uni = double(a.width()) * a.height() + double(b.right - b.left) * (b.bottom - b.top) - inter;
  return uni > 0 ? inter / uni : 0;
}

bool SameRect(const vision::Rect& a, const vision::Rect& b) {
  return a.left == b.left && a.top == b.top && a.right == b.right && a.bottom == b.bottom;
}

// The new feature, or why there is none.
struct Extracted {
  std::vector<float> feature;
  std::string error;
};

Extracted Fail(std::string why) { return Extracted{{}, std::move(why)}; }

// No quality gates: the face passed them once and its token is in use.
Extracted ExtractFeature(const vision::Engine& engine, const store::FileStore& files, const store::LiveFace& face) {
  auto bytes = files.Read(face.image.path);
  if (!bytes.ok()) return Fail("original " + face.image.path + ": " + bytes.status().ToString());
  auto a = engine.Analyze(*bytes, vision::Purpose::kEnrol, {.embed = true});
  if (!a.ok()) return Fail(a.status().ToString());
  if (a->verdict != vision::ImageVerdict::kOk)
    return Fail(std::string("original rejected: ") + vision::VerdictName(a->verdict) + " " + a->verdict_detail);

  int best = -1;
  double best_iou = 0;
  for (size_t i = 0; i < a->faces.size(); ++i) {
    const double iou = IoU(a->faces[i].rect, face.rect);
    if (iou > best_iou) best_iou = iou, best = static_cast<int>(i);
  }
  if (a->faces.empty()) return Fail("no face found in the original");
  if (best < 0 || best_iou < kMinIoU) return Fail("no face found where it was enrolled");
  if (a->best && SameRect(a->best->face.rect, a->faces[best].rect) && !a->best->feature.empty())
    return Extracted{a->best->feature, {}};

  // Only the largest face gets a feature: embed a crop around the enrolled
  // one (its rect enlarged 2x), where it is the largest.
  auto pixels = vision::DecodeUpright(*bytes);
  if (!pixels.ok()) return Fail("decode: " + pixels.status().ToString());
  const int w = face.rect.right - face.rect.left, h = face.rect.bottom - face.rect.top;
  const int left = std::clamp(face.rect.left - w / 2, 0, pixels->cols);
  const int top = std::clamp(face.rect.top - h / 2, 0, pixels->rows);
  const int right = std::clamp(face.rect.right + w / 2, 0, pixels->cols);
  const int bottom = std::clamp(face.rect.bottom + h / 2, 0, pixels->rows);
  if (right <= left || bottom <= top) return Fail("enrolled rect lies outside the original");
  cv::Mat crop = (*pixels)(cv::Rect(left, top, right - left, bottom - top)).clone();
  auto c = engine.AnalyzePixels(crop, vision::Purpose::kEnrol, {.embed = true});
  if (!c.ok()) return Fail(c.status().ToString());
  if (!c->best || c->best->feature.empty()) return Fail("no face found in the crop around the enrolled rect");
  vision::Rect r = c->best->face.rect;
  r.left += left, r.right += left, r.top += top, r.bottom += top;
  if (IoU(r, face.rect) < kMinIoU) return Fail("the largest face around the enrolled rect is another one");
  return Extracted{std::move(c->best->feature), {}};
}

std::string Duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

// A bar redrawn in place on a terminal; a line every ~5 % in a log.
class Progress {
 public:
  explicit Progress(size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}

  void Show(size_t done, size_t failed, bool last = false) {
    const int step = total_ ? static_cast<int>(done * 20 / total_) : 20;
    if (!tty_ && step == step_ && !last) return;
    step_ = step;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? done / elapsed : 0;
    const std::string eta = rate > 0 ? Duration((total_ - done) / rate) : "?";
    const int pct = total_ ? static_cast<int>(done * 100 / total_) : 100;
    if (tty_) {
      std::string bar(20, '-');
      std::fill_n(bar.begin(), step, '#');
      std::fprintf(stderr, "\r[%s] %zu/%zu %3d%%  %.1f faces/s  ETA %s  failed %zu\033[K%s", bar.c_str(), done,
                   total_, pct, rate, eta.c_str(), failed, last ? "\n" : "");
    } else {
      std::fprintf(stderr, "reindex: %zu/%zu (%d%%), %.1f faces/s, ETA %s, %zu failed\n", done, total_, pct, rate,
                   eta.c_str(), failed);
    }
    std::fflush(stderr);
  }

 private:
  size_t total_;
  bool tty_;
  int step_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

int Fatal(const std::string& what, const Status& s) {
  std::fprintf(stderr, "reindex: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

int Reindex(const ReindexFlags& f) {
  const std::filesystem::path dir = f.data_dir;
  if (!std::filesystem::exists(dir / "facepass.db")) {
    std::fprintf(stderr, "reindex: no database in %s (nothing enrolled there)\n", dir.c_str());
    return 1;
  }
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return Fatal("cannot lock the data directory", lock.status());
  auto db = store::Database::Open(dir / "facepass.db");
  if (!db.ok()) return Fatal("open database", db.status());
  auto files = store::FileStore::Open(dir / "images");
  if (!files.ok()) return Fatal("open image files", files.status());
  auto tokens = store::TokenCipher::LoadOrCreate(dir);
  if (!tokens.ok()) return Fatal("read the installation secret", tokens.status());
  auto faces = (*db)->ListLiveFaces();
  if (!faces.ok()) return Fatal("list faces", faces.status());

  vision::EngineOptions eo;
  eo.models_dir = f.models_dir;
  eo.pool_size = f.threads;
  f.models.ApplyTo(&eo);
  auto engine = vision::Engine::Create(eo);
  if (!engine.ok()) return Fatal("load the models", engine.status());
  const std::string model = (*engine)->search_model();
  const std::string was = store::ReadSearchModelFile(dir);
  std::fprintf(stderr, "reindex: %zu faces in %s, '%s' -> '%s', %d threads\n", faces->size(), dir.c_str(),
               was.empty() ? "?" : was.c_str(), model.c_str(), f.threads);

  // Everything is computed before anything is written: an interrupted run
  // leaves the directory as it was, and a rerun starts over.
  const size_t n = faces->size();
  std::vector<Extracted> results(n);
  std::atomic<size_t> next{0}, done{0}, failed{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < f.threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < n;) {
        results[i] = ExtractFeature(**engine, **files, (*faces)[i]);
        if (!results[i].error.empty()) ++failed;
        ++done;
      }
    });
  }
  Progress progress(n);
  while (done.load() < n) {
    progress.Show(done.load(), failed.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& w : workers) w.join();
  progress.Show(n, failed.load(), /*last=*/true);

  std::vector<std::pair<int64_t, std::vector<float>>> features;
  std::vector<int64_t> drop;
  for (size_t i = 0; i < n; ++i) {
    const store::LiveFace& face = (*faces)[i];
    if (results[i].error.empty()) {
      features.emplace_back(face.face_id, std::move(results[i].feature));
      continue;
    }
    drop.push_back(face.face_id);
    std::fprintf(stderr, "  face_token %s (face %lld, image %s): %s\n",
                 tokens->Encode(store::TokenKind::kFace, face.face_id).c_str(),
                 static_cast<long long>(face.face_id), face.image.path.c_str(), results[i].error.c_str());
  }
  if (!drop.empty() && !f.drop_failed) {
    std::fprintf(stderr,
                 "reindex: %zu of %zu faces failed (listed above); nothing was written. Rerun with --drop-failed "
                 "to delete them (and unbind them from their groups).\n",
                 drop.size(), n);
    return 1;
  }
  if (!f.drop_failed) drop.clear();

  const int64_t now_ms = facepass::NowMs();
  Status written = (*db)->ReplaceFeatures(features, drop, now_ms);
  if (!written.ok()) return Fatal("write the features (nothing changed)", written);
  // Last: until it names the new model the server refuses to start, and a
  // rerun redoes the features.
  Status marked = store::WriteSearchModelFile(dir, model);
  if (!marked.ok()) return Fatal("features written, but not " + (dir / "search_model").string() + "; rerun", marked);
  std::printf("reindex: %zu faces re-extracted with '%s'%s\n", features.size(), model.c_str(),
              drop.empty() ? "" : (", " + std::to_string(drop.size()) + " failed faces deleted").c_str());
  return 0;
}

}  // namespace

void AddReindexCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<ReindexFlags>();
  CLI::App* cmd = app.add_subcommand(
      "reindex", "Re-extract every stored face with the current models (after an embedder change); the server must be stopped");
  cmd->add_option("--data-dir", f->data_dir, "Data directory to re-extract")->envname("FACEPASS_DATA_DIR")->required();
  cmd->add_option("--models-dir", f->models_dir, "Directory of the converted ONNX models")->envname("FACEPASS_MODELS_DIR")->capture_default_str();
  cmd->add_option("--threads", f->threads, "Worker threads (and instances of each model)")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_flag("--drop-failed", f->drop_failed, "Delete the faces whose original yields no face instead of giving up");
  f->models.AddTo(cmd);
  cmd->callback([f, &exit_code] { exit_code = Reindex(*f); });
}

}  // namespace facepass::cli
