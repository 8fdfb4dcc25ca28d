// Database::CheckIntegrity: the invariants the rest of the store keeps.

#include "store/database.h"
#include "store/db_internal.h"
#include "store/integrity_rules.h"

namespace facepass::store {

using internal::Guard;

namespace {

using integrity::Bad;

int64_t Count(SQLite::Database& db, const char* sql) { return db.execAndGet(sql).getInt64(); }

// Every version in (log_floor, version] is logged exactly once, and a
// deleted group's last entry is its delete.
Status CheckLogShape(SQLite::Database& db) {
  SQLite::Statement q(db,
                      "SELECT g.id, g.version, g.log_floor, COUNT(c.version), MIN(c.version), "
                      "MAX(c.version) FROM groups g LEFT JOIN group_changes c ON c.group_id = g.id GROUP BY g.id");
  while (q.executeStep()) {
    FP_RETURN_IF_ERROR(integrity::CheckLogShape(
        integrity::LogShape{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                            q.getColumn(3).getInt64(), q.getColumn(4).getInt64(), q.getColumn(5).getInt64()}));
  }
  if (Count(db, "SELECT COUNT(*) FROM group_changes WHERE group_id NOT IN (SELECT id FROM groups)") != 0)
    return Bad("change log of a missing group");
  if (Count(db, "SELECT COUNT(*) FROM group_changes WHERE (op IN (1, 2)) <> (face_id IS NOT NULL)") != 0)
    return Bad("change log face_id does not match op");
  if (Count(db,
            "SELECT COUNT(*) FROM groups g JOIN group_changes c ON c.group_id = g.id AND c.version = g.version "
            "WHERE g.deleted <> 0 AND c.op <> 3") != 0)
    return Bad("deleted group whose last change is not its delete");
  if (Count(db, "SELECT COUNT(*) FROM group_changes WHERE op = 3 AND version <> "
                "(SELECT version FROM groups WHERE id = group_id)") != 0)
    return Bad("change after a group delete");
  return Status::OK();
}

Status CheckNameVersions(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT name, version FROM groups ORDER BY name, id");
  integrity::NameVersions check;
  while (q.executeStep()) FP_RETURN_IF_ERROR(check.Next(q.getColumn(0).getString(), q.getColumn(1).getInt64()));
  return Status::OK();
}

Status CheckReplay(SQLite::Database& db) {
  integrity::Replay replay;
  SQLite::Statement q(db,
                      "SELECT c.group_id, c.op, c.face_id, c.version = g.log_floor + 1 FROM group_changes c "
                      "JOIN groups g ON g.id = c.group_id ORDER BY c.group_id, c.version");
  while (q.executeStep()) {
    FP_RETURN_IF_ERROR(replay.Change(q.getColumn(0).getInt64(), q.getColumn(1).getInt(),
                                     q.getColumn(2).isNull() ? 0 : q.getColumn(2).getInt64(),
                                     q.getColumn(3).getInt() != 0));
  }
  SQLite::Statement b(db, "SELECT group_id, face_id FROM bindings");
  while (b.executeStep()) replay.Binding(b.getColumn(0).getInt64(), b.getColumn(1).getInt64());
  return replay.Finish();
}

}  // namespace

Status Database::CheckIntegrity(Check depth) {
  const bool full = depth == Check::kFull;
  return Guard([&]() -> Status {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_);
    if (full) {
      const std::string quick = db_->execAndGet("PRAGMA quick_check").getString();
      if (quick != "ok") return Bad("sqlite quick_check: " + quick);
      SQLite::Statement fk(*db_, "PRAGMA foreign_key_check");
      if (fk.executeStep()) return Bad("foreign key violation in table " + fk.getColumn(0).getString());
    }
    // Through faces_deleted: a join would read every bound face's row.
    if (Count(*db_, "SELECT COUNT(*) FROM bindings WHERE face_id IN (SELECT id FROM faces WHERE deleted <> 0)") != 0)
      return Bad("binding to a deleted face");
    if (Count(*db_, "SELECT COUNT(*) FROM bindings b JOIN groups g ON g.id = b.group_id WHERE g.deleted <> 0") != 0)
      return Bad("binding to a deleted group");
    if (full) {
      if (Count(*db_, "SELECT COUNT(*) FROM faces WHERE length(feature) = 0 OR length(feature) % 4 <> 0") != 0)
        return Bad("face with a malformed feature");
      if (Count(*db_, "SELECT COUNT(*) FROM faces WHERE deleted NOT IN (0, 1) OR (deleted = 1) <> (deleted_ms IS NOT NULL)") != 0)
        return Bad("face with a malformed deleted flag");
    }
    FP_RETURN_IF_ERROR(CheckLogShape(*db_));
    FP_RETURN_IF_ERROR(CheckNameVersions(*db_));
    if (full) FP_RETURN_IF_ERROR(CheckReplay(*db_));
    txn.commit();
    return Status::OK();
  });
}

}  // namespace facepass::store
