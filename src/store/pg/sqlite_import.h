// `facepass migrate` (issue 27): copies a stopped SQLite installation (a data
// directory: facepass.db, images/, secret.key) into an empty PostgreSQL
// database, keeping every id, version and the installation secret, so face
// tokens and image ids stay valid and devices go on with INCREMENTAL syncs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::store::pg {

struct ImportedTable {
  std::string name;     // the PostgreSQL table
  int64_t source = 0;   // rows in SQLite (secret: the file, 1)
  int64_t target = 0;   // rows in PostgreSQL after the copy
};

struct ImportReport {
  std::string target;                 // user@host:port/db, never the password
  std::vector<ImportedTable> tables;  // every copied table, counts on both sides
  int64_t images_hashed = 0;          // images whose SHA-256 matched on both sides
  int64_t image_bytes = 0;
  int64_t catalog_seq = 0;            // catalog_state.seq after the copy (every group stamped with it)
  // VACUUM (ANALYZE) after the commit: OK, or why it failed (the copy stands;
  // autovacuum gets there later, and until then a node's first load is slower).
  Status vacuum;
};

// Holds the data directory's lock (Unavailable while a server has it), runs
// its full integrity check (store/data_check.h), then in ONE PostgreSQL
// transaction: creates the schema as PgStore::Open does, refuses a target
// that is not empty (FailedPrecondition: a row in faces, images, face_groups
// or api_keys, or a schema of another version), copies every table and each
// image's bytes, moves the identity sequences past the copied ids (and past
// SQLite's AUTOINCREMENT high-water marks, so no id is ever reused), stamps
// every group with a new catalogue sequence, and compares row counts and the
// SHA-256 of every image on both sides before it commits. Any failure rolls
// the whole copy back. Messages never hold the URI's password.
Result<ImportReport> ImportSqlite(const std::filesystem::path& data_dir, const std::string& uri);

}  // namespace facepass::store::pg
