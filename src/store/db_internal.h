// Helpers shared by the Database implementation files (not a public header).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <bit>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/auth_types.h"
#include "store/change_op.h"
#include "store/types.h"

namespace facepass::store::internal {

static_assert(std::endian::native == std::endian::little, "features are stored as float32 LE by memcpy");

using store::ChangeOp;
using enum store::ChangeOp;

Status FromSqlite(const SQLite::Exception& e);

// Runs fn, turning any exception into a Status: none may leave the store.
template <typename F>
auto Guard(F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  try {
    return fn();
  } catch (const SQLite::Exception& e) {
    return R(FromSqlite(e));
  } catch (const std::exception& e) {
    return R(Status::Internal(std::string("store: ") + e.what()));
  }
}

// Migrates the schema to Database::kSchemaVersion.
Status Migrate(SQLite::Database& db, int target_version);

// Group version bump shared by bind, unbind, face delete and group delete:
// version+1, one change-log entry, log pruned to `keep` entries. Returns the
// new version. Must run inside the caller's transaction.
int64_t BumpVersion(SQLite::Database& db, int64_t group_id, ChangeOp op, int64_t face_id, int64_t now_ms,
                    int64_t keep);

// Appends an audit row in the caller's transaction; its id.
int64_t InsertAudit(SQLite::Database& db, const AuditRecord& r);

// While it lives, commits of `db` wait for no fsync of their own (synchronous
// NORMAL; create it outside a transaction). In WAL mode commits stay in order
// and every synced commit or checkpoint syncs the whole log first, so such a
// commit is durable with the next synced one: a process crash loses none, a
// power cut only together with every commit after it. For rows that record
// no change (the audit row of a call that changed nothing), so that they do
// not cost what a change costs. Does nothing for a store that is not durable.
class RelaxedSync {
 public:
  RelaxedSync(SQLite::Database& db, bool durable) : db_(durable ? &db : nullptr) {
    if (db_ != nullptr) db_->exec("PRAGMA synchronous = NORMAL");
  }
  ~RelaxedSync() {
    try {
      if (db_ != nullptr) db_->exec("PRAGMA synchronous = FULL");  // sets a flag: no I/O that could fail
    } catch (...) {
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  SQLite::Database* const db_;
};

// Reads a group row; false if absent.
bool ReadGroup(SQLite::Database& db, int64_t group_id, GroupRecord* out, int64_t* log_floor);

inline std::vector<float> BlobToFeature(const SQLite::Column& c) {
  std::vector<float> v(static_cast<size_t>(c.getBytes()) / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), c.getBlob(), v.size() * sizeof(float));
  return v;
}

}  // namespace facepass::store::internal
