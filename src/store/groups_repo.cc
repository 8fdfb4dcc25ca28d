// Groups, bindings and the per-group version / change log.
#include "store/database.h"
#include "store/db_internal.h"

namespace facepass::store {

using internal::Guard;

namespace internal {

int64_t BumpVersion(SQLite::Database& db, int64_t group_id, ChangeOp op, int64_t face_id, int64_t now_ms,
                    int64_t keep) {
  SQLite::Statement up(db, "UPDATE groups SET version = version + 1 WHERE id = ? RETURNING version, log_floor");
  up.bind(1, group_id);
  if (!up.executeStep()) throw SQLite::Exception("version bump of a missing group", SQLITE_INTERNAL);
  const int64_t version = up.getColumn(0).getInt64();
  const int64_t floor = up.getColumn(1).getInt64();
  up.reset();  // finish the UPDATE before the next statement

  SQLite::Statement log(db, "INSERT INTO group_changes(group_id, version, op, face_id, at_ms) VALUES(?, ?, ?, ?, ?)");
  log.bind(1, group_id);
  log.bind(2, version);
  log.bind(3, static_cast<int>(op));
  if (op == kOpBind || op == kOpUnbind) {
    log.bind(4, face_id);
  } else {
    log.bind(4);  // NULL
  }
  log.bind(5, now_ms);
  log.exec();

  // Keep the last `keep` entries; the floor tells ChangesSince where the log starts.
  if (version - floor > keep) {
    const int64_t new_floor = version - keep;
    SQLite::Statement prune(db, "DELETE FROM group_changes WHERE group_id = ? AND version <= ?");
    prune.bind(1, group_id);
    prune.bind(2, new_floor);
    prune.exec();
    SQLite::Statement set(db, "UPDATE groups SET log_floor = ? WHERE id = ?");
    set.bind(1, new_floor);
    set.bind(2, group_id);
    set.exec();
  }
  return version;
}

bool ReadGroup(SQLite::Database& db, int64_t group_id, GroupRecord* out, int64_t* log_floor) {
  SQLite::Statement q(db, "SELECT id, name, version, deleted, log_floor FROM groups WHERE id = ?");
  q.bind(1, group_id);
  if (!q.executeStep()) return false;
  out->id = q.getColumn(0).getInt64();
  out->name = q.getColumn(1).getString();
  out->version = q.getColumn(2).getInt64();
  out->deleted = q.getColumn(3).getInt() != 0;
  if (log_floor) *log_floor = q.getColumn(4).getInt64();
  return true;
}

}  // namespace internal

namespace {

// The live group with this name; false if none.
bool ReadLiveGroup(SQLite::Database& db, const std::string& name, GroupRecord* out) {
  SQLite::Statement q(db, "SELECT id, name, version FROM groups WHERE name = ? AND deleted = 0");
  q.bind(1, name);
  if (!q.executeStep()) return false;
  out->id = q.getColumn(0).getInt64();
  out->name = q.getColumn(1).getString();
  out->version = q.getColumn(2).getInt64();
  out->deleted = false;
  return true;
}

}  // namespace

Result<GroupRecord> Database::CreateGroup(const std::string& name, int64_t now_ms,
                                          const domain::AuditOf<GroupRecord>& audit) {
  if (name.empty()) return Status::InvalidArgument("empty group name");
  return Guard([&]() -> Result<GroupRecord> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    GroupRecord g;
    if (ReadLiveGroup(*db_, name, &g)) return Status::AlreadyExists("group " + name);
    // A name that existed before continues from its last version.
    SQLite::Statement last(*db_, "SELECT COALESCE(MAX(version), 0) FROM groups WHERE name = ?");
    last.bind(1, name);
    last.executeStep();
    const int64_t version = last.getColumn(0).getInt64() + 1;
    SQLite::Statement ins(*db_,
                          "INSERT INTO groups(name, version, log_floor, deleted, created_ms) VALUES(?, ?, ?, 0, ?)");
    ins.bind(1, name);
    ins.bind(2, version);
    ins.bind(3, version - 1);
    ins.bind(4, now_ms);
    ins.exec();
    g = GroupRecord{db_->getLastInsertRowid(), name, version, false};
    SQLite::Statement log(*db_, "INSERT INTO group_changes(group_id, version, op, face_id, at_ms) VALUES(?, ?, ?, NULL, ?)");
    log.bind(1, g.id);
    log.bind(2, version);
    log.bind(3, static_cast<int>(internal::kOpCreate));
    log.bind(4, now_ms);
    log.exec();
    if (audit) internal::InsertAudit(*db_, audit(g));
    txn.commit();
    return g;
  });
}

Result<GroupRecord> Database::DeleteGroup(const std::string& name, int64_t now_ms,
                                          const domain::AuditOf<GroupRecord>& audit) {
  return Guard([&]() -> Result<GroupRecord> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    GroupRecord g;
    if (!ReadLiveGroup(*db_, name, &g)) return Status::NotFound("group " + name);
    SQLite::Statement clear(*db_, "DELETE FROM bindings WHERE group_id = ?");
    clear.bind(1, g.id);
    clear.exec();
    g.version = internal::BumpVersion(*db_, g.id, internal::kOpDelete, 0, now_ms, options_.change_log_keep);
    SQLite::Statement mark(*db_, "UPDATE groups SET deleted = 1, deleted_ms = ? WHERE id = ?");
    mark.bind(1, now_ms);
    mark.bind(2, g.id);
    mark.exec();
    g.deleted = true;
    if (audit) internal::InsertAudit(*db_, audit(g));
    txn.commit();
    return g;
  });
}

Result<GroupRecord> Database::GetGroupByName(const std::string& name) {
  return Guard([&]() -> Result<GroupRecord> {
    MutexLock lock(&mu_);
    GroupRecord g;
    if (!ReadLiveGroup(*db_, name, &g)) return Status::NotFound("group " + name);
    return g;
  });
}

Result<GroupRecord> Database::GetGroupById(int64_t group_id) {
  return Guard([&]() -> Result<GroupRecord> {
    MutexLock lock(&mu_);
    GroupRecord g;
    if (!internal::ReadGroup(*db_, group_id, &g, nullptr)) return Status::NotFound("group id " + std::to_string(group_id));
    return g;
  });
}

Result<std::vector<std::string>> Database::ListGroupNames() {
  return Guard([&]() -> Result<std::vector<std::string>> {
    MutexLock lock(&mu_);
    std::vector<std::string> out;
    SQLite::Statement q(*db_, "SELECT name FROM groups WHERE deleted = 0 ORDER BY name");
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

Result<std::vector<GroupRecord>> Database::ListGroups() {
  return Guard([&]() -> Result<std::vector<GroupRecord>> {
    MutexLock lock(&mu_);
    std::vector<GroupRecord> out;
    SQLite::Statement q(*db_, "SELECT id, name, version FROM groups WHERE deleted = 0 ORDER BY name");
    while (q.executeStep())
      out.push_back(GroupRecord{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(), false});
    return out;
  });
}

Result<std::vector<int64_t>> Database::GroupFaceIds(int64_t group_id) {
  return Guard([&]() -> Result<std::vector<int64_t>> {
    MutexLock lock(&mu_);
    std::vector<int64_t> out;
    SQLite::Statement q(*db_, "SELECT face_id FROM bindings WHERE group_id = ? ORDER BY face_id");
    q.bind(1, group_id);
    while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
    return out;
  });
}

Result<bool> Database::Bind(int64_t group_id, int64_t face_id, int64_t now_ms,
                            const domain::AuditOf<bool>& audit) {
  return Guard([&]() -> Result<bool> {
    MutexLock lock(&mu_);
    // A bound face (a live face in a live group: deletes remove bindings)
    // changes nothing: its audit row alone commits, without an fsync of its
    // own (internal::RelaxedSync). This connection is the only writer.
    SQLite::Statement bound(*db_, "SELECT 1 FROM bindings WHERE group_id = ? AND face_id = ?");
    bound.bind(1, group_id);
    bound.bind(2, face_id);
    if (bound.executeStep()) {
      bound.reset();
      internal::RelaxedSync relaxed(*db_, options_.durable);
      if (audit) internal::InsertAudit(*db_, audit(false));
      return false;
    }
    bound.reset();
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    GroupRecord g;
    if (!internal::ReadGroup(*db_, group_id, &g, nullptr) || g.deleted)
      return Status::NotFound("group id " + std::to_string(group_id));
    SQLite::Statement face(*db_, "SELECT 1 FROM faces WHERE id = ? AND deleted = 0");
    face.bind(1, face_id);
    if (!face.executeStep()) return Status::NotFound("face " + std::to_string(face_id));
    SQLite::Statement ins(*db_, "INSERT OR IGNORE INTO bindings(group_id, face_id) VALUES(?, ?)");
    ins.bind(1, group_id);
    ins.bind(2, face_id);
    const bool added = ins.exec() != 0;  // already bound: nothing changes
    if (added) internal::BumpVersion(*db_, group_id, internal::kOpBind, face_id, now_ms, options_.change_log_keep);
    if (audit) internal::InsertAudit(*db_, audit(added));
    txn.commit();
    return added;
  });
}

Result<int64_t> Database::Unbind(int64_t group_id, int64_t face_id, int64_t now_ms,
                                 const domain::AuditOf<int64_t>& audit) {
  return Guard([&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement del(*db_, "DELETE FROM bindings WHERE group_id = ? AND face_id = ?");
    del.bind(1, group_id);
    del.bind(2, face_id);
    if (del.exec() == 0)
      return Status::NotFound("face " + std::to_string(face_id) + " not bound to group id " + std::to_string(group_id));
    int64_t version =
        internal::BumpVersion(*db_, group_id, internal::kOpUnbind, face_id, now_ms, options_.change_log_keep);
    if (audit) internal::InsertAudit(*db_, audit(version));
    txn.commit();
    return version;
  });
}

}  // namespace facepass::store
