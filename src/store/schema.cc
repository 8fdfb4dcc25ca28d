// Schema creation and migration, keyed by PRAGMA user_version.
#include "store/db_internal.h"

namespace facepass::store::internal {
namespace {

// Version 1. bindings stays a plain (group_id, face_id) WITHOUT ROWID table
// and faces.feature a plain float32 BLOB: the 1:N index bulk-loads through
// that join at start-up.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE images(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind INTEGER NOT NULL CHECK(kind IN (0, 1)),   -- 0 enrol, 1 capture
  format TEXT NOT NULL,
  path TEXT NOT NULL,                            -- relative to the file store
  size INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE INDEX images_kind_age ON images(kind, created_ms);

CREATE TABLE faces(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id INTEGER NOT NULL REFERENCES images(id),
  left INTEGER NOT NULL,
  top INTEGER NOT NULL,
  right INTEGER NOT NULL,
  bottom INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  feature BLOB NOT NULL,                         -- float32 little-endian
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_ms INTEGER);
CREATE INDEX faces_image ON faces(image_id);

CREATE TABLE groups(
  id INTEGER PRIMARY KEY AUTOINCREMENT,          -- group_id, never reused
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  log_floor INTEGER NOT NULL,                    -- group_changes holds every version in (log_floor, version]
  deleted INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  deleted_ms INTEGER);
CREATE UNIQUE INDEX groups_live_name ON groups(name) WHERE deleted = 0;
CREATE INDEX groups_name_version ON groups(name, version);

CREATE TABLE bindings(
  group_id INTEGER NOT NULL REFERENCES groups(id),
  face_id INTEGER NOT NULL REFERENCES faces(id),
  PRIMARY KEY(group_id, face_id)) WITHOUT ROWID;
CREATE INDEX bindings_face ON bindings(face_id);

CREATE TABLE group_changes(
  group_id INTEGER NOT NULL REFERENCES groups(id),
  version INTEGER NOT NULL,
  op INTEGER NOT NULL CHECK(op IN (0, 1, 2, 3)),  -- create, bind, unbind, delete
  face_id INTEGER,                                -- bind/unbind only
  at_ms INTEGER NOT NULL,
  PRIMARY KEY(group_id, version)) WITHOUT ROWID;

CREATE TABLE config(
  key TEXT PRIMARY KEY,
  value REAL NOT NULL) WITHOUT ROWID;

CREATE TABLE devices(
  ip TEXT PRIMARY KEY,
  client_version TEXT NOT NULL,
  search_model TEXT NOT NULL,
  sync_time_ms INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE device_groups(
  ip TEXT NOT NULL REFERENCES devices(ip) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  group_name TEXT NOT NULL,
  group_id INTEGER NOT NULL,
  local_version INTEGER NOT NULL,
  cloud_version INTEGER NOT NULL,
  result_code INTEGER NOT NULL,
  result_version INTEGER NOT NULL,
  added INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY(ip, seq)) WITHOUT ROWID;
)sql";

// Version 2 (issue 10): API keys, stored only as SHA-256, and the audit log.
// Names stay unique after revocation so audit rows name one key for good.
constexpr char kSchemaV2[] = R"sql(
CREATE TABLE api_keys(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,                     -- hex SHA-256 of the key
  created_ms INTEGER NOT NULL,
  last_used_ms INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_ms INTEGER NOT NULL DEFAULT 0);

CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY AUTOINCREMENT,          -- the query cursor
  at_ms INTEGER NOT NULL,
  key_name TEXT NOT NULL,
  role TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  targets TEXT NOT NULL,
  result_code INTEGER NOT NULL);
CREATE INDEX audit_log_at ON audit_log(at_ms);
)sql";

// Version 3 (issue 11): the recognition history, one row per answered track.
// A row goes with its capture (ON DELETE CASCADE: the retention purge
// deletes the image row); keyset pages walk (at_ms, id) newest first.
constexpr char kSchemaV3[] = R"sql(
CREATE TABLE recognitions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  at_ms INTEGER NOT NULL,
  group_name TEXT NOT NULL,
  track_id INTEGER NOT NULL,
  face_id INTEGER,                               -- best match; NULL: none
  score REAL NOT NULL,
  passed INTEGER NOT NULL,
  left INTEGER, top INTEGER, right INTEGER, bottom INTEGER,  -- NULL: no face found
  liveness_score REAL);
CREATE INDEX recognitions_at ON recognitions(at_ms);
CREATE INDEX recognitions_group_at ON recognitions(group_name, at_ms);
CREATE INDEX recognitions_image ON recognitions(image_id);
)sql";

// Version 4 (issue 29): an optional label per face (spec::NormalizeLabel).
// NOCASE folds ASCII only, which is the search's rule; the partial index
// serves a prefix range over live labelled faces in (label, id) keyset order.
// A face delete clears the label (personal data): history rows then name
// only the face token.
constexpr char kSchemaV4[] = R"sql(
ALTER TABLE faces ADD COLUMN label TEXT COLLATE NOCASE;
CREATE INDEX faces_label ON faces(label, id) WHERE deleted = 0 AND label IS NOT NULL;
)sql";

// Version 5 (issue 27, cold start): the deleted faces, so that the live-face
// count and the start-up check's "binding to a deleted face" read this and
// faces_image instead of every face row with its feature (0.8 s each at 1M
// faces). Partial on purpose: an index on `deleted` itself is what the
// planner picks for every "deleted = 0", and the index load's scan then sorted
// every feature through a temporary file.
constexpr char kSchemaV5[] = R"sql(
CREATE INDEX IF NOT EXISTS faces_deleted ON faces(id) WHERE deleted <> 0;
)sql";

// kMigrations[i] takes the schema from version i to i+1.
constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5};
constexpr int kLatest = static_cast<int>(std::size(kMigrations));

}  // namespace

Status Migrate(SQLite::Database& db, int target_version) {
  if (target_version != kLatest) return Status::Internal("schema version mismatch in build");
  SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > kLatest)
    return Status::FailedPrecondition("database schema version " + std::to_string(version) +
                                      " is newer than this server's " + std::to_string(kLatest));
  for (; version < kLatest; ++version) db.exec(kMigrations[version]);
  // user_version is part of the transaction, so a crash leaves either the
  // old schema or the new one.
  db.exec("PRAGMA user_version = " + std::to_string(kLatest));
  txn.commit();
  return Status::OK();
}

}  // namespace facepass::store::internal
