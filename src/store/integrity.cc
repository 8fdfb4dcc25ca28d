// Database::CheckIntegrity: the invariants the rest of the store keeps.
#include <map>
#include <set>

#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace {

int64_t Count(SQLite::Database& db, const char* sql) { return db.execAndGet(sql).getInt64(); }

Status Bad(const std::string& what) { return Status::Corruption("integrity: " + what); }

// Every version in (log_floor, version] is logged exactly once, and a
// deleted group's last entry is its delete.
Status CheckLogShape(SQLite::Database& db) {
  SQLite::Statement q(db,
                      "SELECT g.id, g.version, g.log_floor, g.deleted, COUNT(c.version), MIN(c.version), "
                      "MAX(c.version) FROM groups g LEFT JOIN group_changes c ON c.group_id = g.id GROUP BY g.id");
  while (q.executeStep()) {
    const int64_t id = q.getColumn(0).getInt64(), version = q.getColumn(1).getInt64();
    const int64_t floor = q.getColumn(2).getInt64(), count = q.getColumn(4).getInt64();
    const std::string gid = "group " + std::to_string(id);
    if (floor < 0 || floor >= version) return Bad(gid + " log_floor " + std::to_string(floor) + " vs version " + std::to_string(version));
    if (count != version - floor) return Bad(gid + " change log has " + std::to_string(count) + " entries, expected " + std::to_string(version - floor));
    if (q.getColumn(5).getInt64() != floor + 1 || q.getColumn(6).getInt64() != version) return Bad(gid + " change log range");
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

// Versions of one name only go up across its incarnations.
Status CheckNameVersions(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT name, id, version, log_floor FROM groups ORDER BY name, id");
  std::string last_name;
  int64_t last_version = -1;
  while (q.executeStep()) {
    const std::string name = q.getColumn(0).getString();
    const int64_t version = q.getColumn(2).getInt64();
    if (name == last_name && version <= last_version) return Bad("group name " + name + " versions not increasing");
    last_name = name;
    last_version = version;
  }
  return Status::OK();
}

// Where a group's log still starts at its create, replaying it must give
// exactly its current bindings.
Status CheckReplay(SQLite::Database& db) {
  std::map<int64_t, std::set<int64_t>> replayed;
  std::set<int64_t> complete;
  SQLite::Statement q(db,
                      "SELECT c.group_id, c.op, c.face_id, c.version = g.log_floor + 1 FROM group_changes c "
                      "JOIN groups g ON g.id = c.group_id ORDER BY c.group_id, c.version");
  int64_t current = -1;
  while (q.executeStep()) {
    const int64_t gid = q.getColumn(0).getInt64();
    const int op = q.getColumn(1).getInt();
    if (gid != current) {
      current = gid;
      if (q.getColumn(3).getInt() != 0 && op == internal::kOpCreate) complete.insert(gid);
    }
    if (!complete.count(gid)) continue;
    std::set<int64_t>& s = replayed[gid];
    const int64_t face = q.getColumn(2).isNull() ? 0 : q.getColumn(2).getInt64();
    if (op == internal::kOpBind && !s.insert(face).second) return Bad("group " + std::to_string(gid) + " binds a bound face");
    if (op == internal::kOpUnbind && s.erase(face) == 0) return Bad("group " + std::to_string(gid) + " unbinds an unbound face");
    if (op == internal::kOpDelete) s.clear();
  }
  std::map<int64_t, std::set<int64_t>> actual;
  SQLite::Statement b(db, "SELECT group_id, face_id FROM bindings");
  while (b.executeStep()) actual[b.getColumn(0).getInt64()].insert(b.getColumn(1).getInt64());
  for (int64_t gid : complete) {
    if (replayed[gid] != actual[gid]) return Bad("group " + std::to_string(gid) + " bindings differ from its change log");
  }
  return Status::OK();
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
    if (Count(*db_, "SELECT COUNT(*) FROM bindings b JOIN faces f ON f.id = b.face_id WHERE f.deleted <> 0") != 0)
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
