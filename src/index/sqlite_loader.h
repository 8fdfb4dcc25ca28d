// Start-up path: streams every live binding out of the server's SQLite store into
// a FaceIndex with one BulkLoad per group.
//
// Schema read (owned by the store):
//   faces(id INTEGER PRIMARY KEY, ..., feature BLOB NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)
//   bindings(group_id INTEGER NOT NULL, face_id INTEGER NOT NULL,
//            PRIMARY KEY(group_id, face_id)) WITHOUT ROWID
// Features are dim float32 little-endian.
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
  size_t bindings = 0;
  double read_seconds = 0;    // SQLite query and blob copies
  double index_seconds = 0;   // time the reader waited for BulkLoad to finish
};

// Reads on the calling thread and hands each finished group to a second thread
// that runs BulkLoad, so decoding and indexing overlap. Corruption if a feature
// blob has the wrong size.
Status LoadFromSqlite(SQLite::Database& db, FaceIndex& index, LoadStats* stats = nullptr);

}  // namespace facepass::index
