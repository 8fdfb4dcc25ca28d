// Start-up benchmark: builds a temporary metadata store through the store's
// API (faces bound to groups), then times loading every binding into a
// FaceIndex through LoadFromStore (the store's binding scan).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "datasets.h"
#include "index/face_index.h"
#include "index/store_loader.h"
#include "store/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static int Fail(const char* what, const facepass::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

static double Secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int main(int argc, char** argv) {
  CLI::App app{"FacePass index start-up from SQLite"};
  size_t faces = 1000000;
  int dim = 128, groups = 4, reps = 2, threads = 0;
  std::string db_path = (fs::temp_directory_path() / "facepass_index_load_bench.db").string();
  std::string storage = "int8";
  bool keep = false;
  app.add_option("--faces", faces, "faces (each bound to one group)");
  app.add_option("--dim", dim, "feature dimension");
  app.add_option("--groups", groups, "groups the faces are spread over");
  app.add_option("--db", db_path, "temporary database path");
  app.add_option("--storage", storage, "int8 or f32");
  app.add_option("--reps", reps, "timed loads");
  app.add_option("--threads", threads, "loader threads (0 = hardware)");
  app.add_flag("--keep", keep, "keep (and reuse) the database file");
  CLI11_PARSE(app, argc, argv);

  namespace store = facepass::store;
  store::Database::Options fast;
  fast.durable = false;  // a throw-away store: no fsync per commit
  if (!keep || !fs::exists(db_path)) {
    fs::remove(db_path);
    fs::remove(db_path + "-wal");
    fs::remove(db_path + "-shm");
    auto a = Clock::now();
    auto db = store::Database::Open(db_path, fast);
    if (!db.ok()) return Fail("open", db.status());
    auto image = (*db)->InsertImage(store::ImageKind::kEnrol, "jpg", "bench.jpg", 1, 1, 1, 1);
    if (!image.ok()) return Fail("image", image.status());
    std::vector<int64_t> group_ids;
    for (int g = 0; g < groups; ++g) {
      auto rec = (*db)->CreateGroup("g" + std::to_string(g), 1);
      if (!rec.ok()) return Fail("group", rec.status());
      group_ids.push_back(rec->id);
    }
    // Features come in chunks so memory stays small for 1M x 512.
    const size_t chunk = 65536;
    for (size_t c0 = 0; c0 < faces; c0 += chunk) {
      const size_t n = std::min(chunk, faces - c0);
      auto ds = facepass::bench::RandomUnit(n, 0, dim, 100 + c0);
      for (size_t i = 0; i < n; ++i) {
        auto id = (*db)->InsertFace(*image, {0, 0, 1, 1}, 1,
                                    {ds.base.data() + i * dim, static_cast<size_t>(dim)});
        if (!id.ok()) return Fail("face", id.status());
        auto bound = (*db)->Bind(group_ids[(c0 + i) % group_ids.size()], *id, 2);
        if (!bound.ok()) return Fail("bind", bound.status());
      }
    }
    std::printf("built %s: %zu faces x %d-D in %.1f s (%.0f MB)\n", db_path.c_str(), faces, dim,
                Secs(a, Clock::now()), static_cast<double>(fs::file_size(db_path)) / 1e6);
  }
  auto db = store::Database::Open(db_path, fast);
  if (!db.ok()) return Fail("open", db.status());
  for (int r = 0; r < reps; ++r) {
    facepass::index::IndexOptions o;
    o.dim = dim;
    o.storage = storage == "f32" ? facepass::index::Storage::kFloat32 : facepass::index::Storage::kInt8Rerank;
    facepass::index::FaceIndex idx(o);
    auto a = Clock::now();
    store::BindingScanStats st;
    auto s = facepass::index::LoadFromStore(**db, idx, &st, threads);
    const double total = Secs(a, Clock::now());
    if (!s.ok()) return Fail("load", s);
    size_t loaded = 0;
    for (int64_t g : idx.GroupIds()) loaded += idx.GroupSize(g);
    std::printf("load %d: %zu bindings in %zu groups, %.2f s (%d threads), %.2f M faces/s, "
                "storage %s, page cache warm\n",
                r + 1, loaded, st.groups, total, st.threads, loaded / total / 1e6, storage.c_str());
    if (loaded != faces) {
      std::fprintf(stderr, "expected %zu bindings\n", faces);
      return 1;
    }
  }
  db->reset();
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix);
  }
  return 0;
}
