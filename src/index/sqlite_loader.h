// Start-up path: streams every live binding out of the server's SQLite store into
// a FaceIndex.
//
// Schema read (owned by the store):
//   faces(id INTEGER PRIMARY KEY, ..., feature BLOB NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)
//   bindings(group_id INTEGER NOT NULL, face_id INTEGER NOT NULL,
//            PRIMARY KEY(group_id, face_id)) WITHOUT ROWID
// Features are dim float32 little-endian.
//
// The bindings key space is cut into one range per thread; each thread opens its
// own read-only connection to the same file (memory-mapped reads) and runs the
// bindings -> faces join for its range ordered by (group_id, face_id), handing
// batches of up to 64k rows of one group to FaceIndex::BulkLoad. Groups are
// pre-sized from a key-only count. An in-memory database is read on one thread.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "index/face_index.h"

namespace SQLite {
class Database;
}

namespace facepass::index {

struct LoadStats {
  size_t groups = 0;
  size_t bindings = 0;  // live bindings loaded
  int threads = 0;
  double seconds = 0;
};

// threads = 0: hardware threads, or one for small stores (< 100k bindings).
// Corruption if a feature blob has the wrong size; IoError on SQLite errors. On
// error the index may hold part of the data: discard it.
Status LoadFromSqlite(SQLite::Database& db, FaceIndex& index, LoadStats* stats = nullptr, int threads = 0);

}  // namespace facepass::index
