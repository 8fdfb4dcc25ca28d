#include "store/binding_scan.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/database.h"
#include "store/key_cuts.h"

namespace facepass::store {

namespace {

using Key = BindingKey;

// Small enough that a batch (5.6 MiB at 704-D) is still in cache when the
// index copies it; 65,536 rows streamed 184 MiB through memory twice.
constexpr size_t kBatchRows = 2048;
constexpr const char* kJoin =
    "SELECT b.group_id, b.face_id, f.feature FROM bindings b JOIN faces f ON f.id = b.face_id "
    "WHERE f.deleted = 0";

struct RangeResult {
  Status status;
  size_t rows = 0;
  bool sorted = false;
};

// Scans bindings with key in [lo, hi) (unbounded where absent).
RangeResult ScanRange(SQLite::Database& db, size_t dim, BindingSink& sink, std::optional<Key> lo,
                      std::optional<Key> hi) {
  RangeResult res;
  const int blob_bytes = static_cast<int>(dim * sizeof(float));
  std::string sql = kJoin;
  if (lo) sql += " AND (b.group_id, b.face_id) >= (?1, ?2)";
  if (hi) sql += " AND (b.group_id, b.face_id) < (?3, ?4)";
  sql += " ORDER BY b.group_id, b.face_id";
  // The hot loop uses the C API directly: SQLiteCpp's Column objects cost two
  // atomic reference-count updates each, per row.
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    res.status = Status::IoError(std::string("scanning bindings: ") + sqlite3_errmsg(db.getHandle()));
    return res;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (lo) sqlite3_bind_int64(raw, 1, lo->first), sqlite3_bind_int64(raw, 2, lo->second);
  if (hi) sqlite3_bind_int64(raw, 3, hi->first), sqlite3_bind_int64(raw, 4, hi->second);
  std::vector<int64_t> ids;
  std::vector<float> feats;
  ids.reserve(kBatchRows);
  feats.resize(kBatchRows * dim);
  int64_t group = 0;
  auto flush = [&]() -> Status {
    if (ids.empty()) return Status::OK();
    Status s = sink.Take(group, ids, {feats.data(), ids.size() * dim});
    res.rows += ids.size();
    ids.clear();
    return s;
  };
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const int64_t gid = sqlite3_column_int64(raw, 0);
    if (gid != group || ids.size() == kBatchRows) {
      if (Status s = flush(); !s.ok()) {
        res.status = s;
        return res;
      }
      group = gid;
    }
    const int64_t fid = sqlite3_column_int64(raw, 1);
    const void* blob = sqlite3_column_blob(raw, 2);
    const int bytes = sqlite3_column_bytes(raw, 2);
    if (bytes != blob_bytes || blob == nullptr) {
      res.status = Status::Corruption("face " + std::to_string(fid) + ": feature of " + std::to_string(bytes) +
                                      " bytes, expected " + std::to_string(blob_bytes));
      return res;
    }
    std::memcpy(feats.data() + ids.size() * dim, blob, static_cast<size_t>(blob_bytes));
    ids.push_back(fid);
  }
  if (rc != SQLITE_DONE) {
    res.status = Status::IoError(std::string("scanning bindings: ") + sqlite3_errmsg(db.getHandle()));
    return res;
  }
  res.status = flush();
  res.sorted = sqlite3_stmt_status(raw, SQLITE_STMTSTATUS_SORT, 0) > 0;
  return res;
}

void PrepareConnection(SQLite::Database& db) {
  // Memory-mapped reads skip a copy per page; harmless for other users of the connection.
  db.exec("PRAGMA mmap_size = 1099511627776");
}

}  // namespace

Status ScanBindings(const Database& store_db, size_t dim, BindingSink& sink, BindingScanStats* stats, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool auto_threads = threads <= 0;
  if (auto_threads) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    const std::string file = store_db.file().string();
    SQLite::Database db(file, SQLite::OPEN_READONLY);
    PrepareConnection(db);
    // Group sizes (bindings, deleted faces included: an upper bound) from the key index.
    std::vector<std::pair<int64_t, int64_t>> groups;
    int64_t total = 0;
    {
      SQLite::Statement st(db, "SELECT group_id, count(*) FROM bindings GROUP BY group_id ORDER BY group_id");
      while (st.executeStep()) {
        groups.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getInt64());
        total += groups.back().second;
      }
    }
    for (const auto& [gid, n] : groups) FP_RETURN_IF_ERROR(sink.Reserve(gid, static_cast<size_t>(n)));

    if (total < 1 || (auto_threads && total < 100000)) threads = 1;
    // At least one range even for an empty store (results[0] and cuts[1] are used).
    threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, total)));
    // Split points: the key at offsets total*i/threads.
    auto key_at = [&db](int64_t group, int64_t offset) -> Result<std::optional<int64_t>> {
      SQLite::Statement st(db, "SELECT face_id FROM bindings WHERE group_id = ? ORDER BY face_id LIMIT 1 OFFSET ?");
      st.bind(1, group);
      st.bind(2, offset);
      if (!st.executeStep()) return std::optional<int64_t>();
      return std::optional<int64_t>(st.getColumn(0).getInt64());
    };
    FP_ASSIGN_OR_RETURN(const std::vector<std::optional<Key>> cuts, CutBindingKeys(groups, threads, key_at));
    threads = static_cast<int>(cuts.size()) - 1;
    std::vector<RangeResult> results(static_cast<size_t>(threads));
    std::vector<std::thread> workers;
    for (int i = 1; i < threads; ++i) {
      workers.emplace_back([&, i] {
        try {
          SQLite::Database own(file, SQLite::OPEN_READONLY);
          PrepareConnection(own);
          results[i] = ScanRange(own, dim, sink, cuts[i], cuts[i + 1]);
        } catch (const std::exception& e) {
          results[i].status = Status::IoError(std::string("scanning bindings: ") + e.what());
        }
      });
    }
    try {
      results[0] = ScanRange(db, dim, sink, cuts[0], cuts[1]);
    } catch (const std::exception& e) {
      results[0].status = Status::IoError(std::string("scanning bindings: ") + e.what());
    }
    for (auto& w : workers) w.join();
    size_t rows = 0;
    bool sorted = false;
    for (auto& r : results) {
      FP_RETURN_IF_ERROR(r.status);
      rows += r.rows;
      sorted = sorted || r.sorted;
    }
    if (stats != nullptr) {
      stats->groups = groups.size();
      stats->bindings = rows;
      stats->threads = threads;
      stats->sorted = sorted;
      stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  } catch (const std::exception& e) {
    return Status::IoError(std::string("scanning bindings: ") + e.what());
  }
  return Status::OK();
}

}  // namespace facepass::store
