// Start-up benchmark: builds a temporary SQLite store with the server's schema
// (faces + bindings), then times opening it and loading every binding into a
// FaceIndex through LoadFromSqlite (bindings -> faces join ordered by group).
#include <SQLiteCpp/SQLiteCpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "datasets.h"
#include "index/face_index.h"
#include "index/sqlite_loader.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

  try {
    if (!keep || !fs::exists(db_path)) {
      fs::remove(db_path);
      auto a = Clock::now();
      SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
      db.exec("CREATE TABLE faces(id INTEGER PRIMARY KEY, face_token TEXT, feature BLOB NOT NULL, "
              "deleted INTEGER NOT NULL DEFAULT 0)");
      db.exec("CREATE TABLE bindings(group_id INTEGER NOT NULL, face_id INTEGER NOT NULL, "
              "PRIMARY KEY(group_id, face_id)) WITHOUT ROWID");
      // Features come in chunks so memory stays small for 1M x 512.
      const size_t chunk = 65536;
      SQLite::Transaction tx(db);
      SQLite::Statement ins_face(db, "INSERT INTO faces(id, face_token, feature) VALUES(?, ?, ?)");
      SQLite::Statement ins_bind(db, "INSERT INTO bindings(group_id, face_id) VALUES(?, ?)");
      for (size_t c0 = 0; c0 < faces; c0 += chunk) {
        const size_t n = std::min(chunk, faces - c0);
        auto ds = facepass::bench::RandomUnit(n, 0, dim, 100 + c0);
        for (size_t i = 0; i < n; ++i) {
          const int64_t id = static_cast<int64_t>(c0 + i + 1);
          ins_face.bind(1, id);
          ins_face.bind(2, "tok" + std::to_string(id));
          ins_face.bindNoCopy(3, ds.base.data() + i * dim, dim * static_cast<int>(sizeof(float)));
          ins_face.exec();
          ins_face.reset();
          ins_bind.bind(1, static_cast<int64_t>(id % groups + 1));
          ins_bind.bind(2, id);
          ins_bind.exec();
          ins_bind.reset();
        }
      }
      tx.commit();
      std::printf("built %s: %zu faces x %d-D in %.1f s (%.0f MB)\n", db_path.c_str(), faces, dim,
                  Secs(a, Clock::now()), static_cast<double>(fs::file_size(db_path)) / 1e6);
    }
    for (int r = 0; r < reps; ++r) {
      facepass::index::IndexOptions o;
      o.dim = dim;
      o.storage = storage == "f32" ? facepass::index::Storage::kFloat32 : facepass::index::Storage::kInt8Rerank;
      facepass::index::FaceIndex idx(o);
      auto a = Clock::now();
      SQLite::Database db(db_path, SQLite::OPEN_READONLY);
      facepass::index::LoadStats st;
      auto s = facepass::index::LoadFromSqlite(db, idx, &st, threads);
      const double total = Secs(a, Clock::now());
      if (!s.ok()) {
        std::fprintf(stderr, "load failed: %s\n", s.ToString().c_str());
        return 1;
      }
      size_t loaded = 0;
      for (int64_t g : idx.GroupIds()) loaded += idx.GroupSize(g);
      std::printf("load %d: %zu bindings in %zu groups, %.2f s (open + load, %d threads), %.2f M faces/s, "
                  "storage %s, page cache warm\n",
                  r + 1, loaded, st.groups, total, st.threads, loaded / total / 1e6, storage.c_str());
      if (loaded != faces) {
        std::fprintf(stderr, "expected %zu bindings\n", faces);
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  if (!keep) fs::remove(db_path);
  return 0;
}
