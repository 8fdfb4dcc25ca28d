// Groups, bindings and the per-group version / change log.
#include "store/pg/catalog_listener.h"
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using domain::GroupRecord;
using internal::Mode;
using internal::Run;
using internal::RunRead;

namespace internal {

int64_t LockCatalog(pqxx::work& w) {
  const int64_t seq = w.exec1("UPDATE catalog_state SET seq = seq + 1 RETURNING seq")[0].as<int64_t>();
  w.exec_params("SELECT pg_notify($1, $2)", kCatalogChannel, std::to_string(seq));
  return seq;
}

int64_t BumpVersion(pqxx::work& w, int64_t group_id, ChangeOp op, int64_t face_id, int64_t now_ms, int64_t keep) {
  const pqxx::row up =
      w.exec_params1("UPDATE face_groups SET version = version + 1, seq = (SELECT seq FROM catalog_state) "
                     "WHERE id = $1 RETURNING version, log_floor",
                     group_id);
  const int64_t version = up[0].as<int64_t>();
  const int64_t floor = up[1].as<int64_t>();
  const bool has_face = op == kOpBind || op == kOpUnbind;
  w.exec_params("INSERT INTO group_changes(group_id, version, op, face_id, at_ms) VALUES($1, $2, $3, $4, $5)",
                group_id, version, static_cast<int>(op), Nullable(has_face ? std::optional(face_id) : std::nullopt).c_str(),
                now_ms);
  // Keep the last `keep` entries; the floor tells ChangesSince where the log starts.
  if (version - floor > keep) {
    const int64_t new_floor = version - keep;
    w.exec_params("DELETE FROM group_changes WHERE group_id = $1 AND version <= $2", group_id, new_floor);
    w.exec_params("UPDATE face_groups SET log_floor = $1 WHERE id = $2", new_floor, group_id);
  }
  return version;
}

bool ReadGroup(pqxx::transaction_base& w, int64_t group_id, GroupRecord* out, int64_t* log_floor) {
  const pqxx::result r =
      w.exec_params("SELECT id, name, version, deleted, log_floor FROM face_groups WHERE id = $1", group_id);
  if (r.empty()) return false;
  out->id = r[0][0].as<int64_t>();
  out->name = r[0][1].as<std::string>();
  out->version = r[0][2].as<int64_t>();
  out->deleted = r[0][3].as<bool>();
  if (log_floor) *log_floor = r[0][4].as<int64_t>();
  return true;
}

}  // namespace internal

namespace {

// Serialises create and delete of one name across connections and nodes, so
// a name's versions only go up across its incarnations.
void LockName(pqxx::work& w, const std::string& name) {
  w.exec_params("SELECT pg_advisory_xact_lock(1179660370, hashtext($1))", name);
}

// The live group with this name, row-locked when `lock`; false if none.
bool ReadLiveGroup(pqxx::transaction_base& w, const std::string& name, GroupRecord* out, bool lock) {
  const pqxx::result r = w.exec_params(
      std::string("SELECT id, name, version FROM face_groups WHERE name = $1 AND NOT deleted") + (lock ? " FOR UPDATE" : ""),
      name);
  if (r.empty()) return false;
  *out = GroupRecord{r[0][0].as<int64_t>(), r[0][1].as<std::string>(), r[0][2].as<int64_t>(), false};
  return true;
}

// Locks a live group's row for a change; false if absent or deleted.
bool LockLiveGroup(pqxx::work& w, int64_t group_id) {
  return !w.exec_params("SELECT 1 FROM face_groups WHERE id = $1 AND NOT deleted FOR UPDATE", group_id).empty();
}

Status GroupIdNotFound(int64_t group_id) { return Status::NotFound("group id " + std::to_string(group_id)); }

}  // namespace

Result<GroupRecord> PgStore::CreateGroup(const std::string& name, int64_t now_ms,
                                         const domain::AuditOf<GroupRecord>& audit) {
  if (name.empty()) return Status::InvalidArgument("empty group name");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<GroupRecord> {
    LockName(w, name);
    const int64_t seq = internal::LockCatalog(w);
    GroupRecord g;
    if (ReadLiveGroup(w, name, &g, false)) return Status::AlreadyExists("group " + name);
    // A name that existed before continues from its last version.
    const int64_t version =
        w.exec_params1("SELECT COALESCE(MAX(version), 0) FROM face_groups WHERE name = $1", name)[0].as<int64_t>() + 1;
    const int64_t id = w.exec_params1("INSERT INTO face_groups(name, version, log_floor, deleted, created_ms, seq) "
                                      "VALUES($1, $2, $3, false, $4, $5) RETURNING id",
                                      name, version, version - 1, now_ms, seq)[0]
                           .as<int64_t>();
    g = GroupRecord{id, name, version, false};
    w.exec_params("INSERT INTO group_changes(group_id, version, op, face_id, at_ms) VALUES($1, $2, $3, NULL, $4)", id,
                  version, static_cast<int>(kOpCreate), now_ms);
    if (audit) internal::InsertAudit(w, audit(g));
    return g;
  });
}

Result<GroupRecord> PgStore::DeleteGroup(const std::string& name, int64_t now_ms,
                                         const domain::AuditOf<GroupRecord>& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<GroupRecord> {
    LockName(w, name);
    internal::LockCatalog(w);
    GroupRecord g;
    if (!ReadLiveGroup(w, name, &g, true)) return Status::NotFound("group " + name);
    w.exec_params("DELETE FROM bindings WHERE group_id = $1", g.id);
    g.version = internal::BumpVersion(w, g.id, kOpDelete, 0, now_ms, options_.change_log_keep);
    w.exec_params("UPDATE face_groups SET deleted = true, deleted_ms = $1 WHERE id = $2", now_ms, g.id);
    g.deleted = true;
    if (audit) internal::InsertAudit(w, audit(g));
    return g;
  });
}

Result<GroupRecord> PgStore::GetGroupByName(const std::string& name) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<GroupRecord> {
    GroupRecord g;
    if (!ReadLiveGroup(w, name, &g, false)) return Status::NotFound("group " + name);
    return g;
  });
}

Result<GroupRecord> PgStore::GetGroupById(int64_t group_id) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<GroupRecord> {
    GroupRecord g;
    if (!internal::ReadGroup(w, group_id, &g, nullptr)) return GroupIdNotFound(group_id);
    return g;
  });
}

Result<std::vector<std::string>> PgStore::ListGroupNames() {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const auto& row : w.exec("SELECT name FROM face_groups WHERE NOT deleted ORDER BY name COLLATE \"C\""))
      out.push_back(row[0].as<std::string>());
    return out;
  });
}

Result<std::vector<GroupRecord>> PgStore::ListGroups() {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<GroupRecord>> {
    std::vector<GroupRecord> out;
    for (const auto& row :
         w.exec("SELECT id, name, version FROM face_groups WHERE NOT deleted ORDER BY name COLLATE \"C\""))
      out.push_back(GroupRecord{row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<int64_t>(), false});
    return out;
  });
}

Result<std::vector<int64_t>> PgStore::GroupFaceIds(int64_t group_id) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> out;
    for (const auto& row : w.exec_params("SELECT face_id FROM bindings WHERE group_id = $1 ORDER BY face_id", group_id))
      out.push_back(row[0].as<int64_t>());
    return out;
  });
}

Result<bool> PgStore::Bind(int64_t group_id, int64_t face_id, int64_t now_ms, const domain::AuditOf<bool>& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<bool> {
    // A bound face (so a live face in a live group: deletes remove bindings):
    // nothing changes, so no catalogue lock, sequence or notice; the audit row
    // still commits. Binds of bound faces on every node then run side by side.
    if (!w.exec_params("SELECT 1 FROM bindings WHERE group_id = $1 AND face_id = $2", group_id, face_id).empty()) {
      internal::RelaxCommit(w);
      if (audit) internal::InsertAudit(w, audit(false));
      return false;
    }
    internal::LockCatalog(w);
    GroupRecord g;
    if (!internal::ReadGroup(w, group_id, &g, nullptr) || g.deleted) return GroupIdNotFound(group_id);
    // The face before the group (as a face delete takes them): no deadlock.
    if (w.exec_params("SELECT 1 FROM faces WHERE id = $1 AND NOT deleted FOR SHARE", face_id).empty())
      return Status::NotFound("face " + std::to_string(face_id));
    if (!LockLiveGroup(w, group_id)) return GroupIdNotFound(group_id);
    const bool added = w.exec_params("INSERT INTO bindings(group_id, face_id) VALUES($1, $2) ON CONFLICT DO NOTHING",
                                     group_id, face_id)
                           .affected_rows() != 0;
    if (added) internal::BumpVersion(w, group_id, kOpBind, face_id, now_ms, options_.change_log_keep);
    if (audit) internal::InsertAudit(w, audit(added));
    return added;
  });
}

Result<int64_t> PgStore::Unbind(int64_t group_id, int64_t face_id, int64_t now_ms,
                                const domain::AuditOf<int64_t>& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    const Status not_bound =
        Status::NotFound("face " + std::to_string(face_id) + " not bound to group id " + std::to_string(group_id));
    internal::LockCatalog(w);
    if (!LockLiveGroup(w, group_id)) return not_bound;
    if (w.exec_params("DELETE FROM bindings WHERE group_id = $1 AND face_id = $2", group_id, face_id).affected_rows() == 0)
      return not_bound;
    const int64_t version = internal::BumpVersion(w, group_id, kOpUnbind, face_id, now_ms, options_.change_log_keep);
    if (audit) internal::InsertAudit(w, audit(version));
    return version;
  });
}

// --- the catalogue's position (domain/catalog_log.h)

Result<std::string> PgStore::ClaimSearchModel(const std::string& model) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::string> {
    // Racing first nodes: the key's uniqueness keeps one, and each reads it.
    w.exec_params("INSERT INTO installation_info(key, value) VALUES('search_model', $1) ON CONFLICT(key) DO NOTHING",
                  model);
    return w.exec("SELECT value FROM installation_info WHERE key = 'search_model'").at(0)[0].as<std::string>();
  });
}

std::unique_ptr<domain::CatalogLog::Watch> PgStore::WatchChanges(std::function<void()> on_change) {
  return std::make_unique<CatalogListener>(*pool_, std::move(on_change));
}

Result<int64_t> PgStore::CatalogSequence() {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<int64_t> {
    return w.exec1("SELECT seq FROM catalog_state")[0].as<int64_t>();
  });
}

Result<std::vector<domain::StampedGroup>> PgStore::GroupsChangedSince(int64_t after) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<domain::StampedGroup>> {
    std::vector<domain::StampedGroup> out;
    for (const auto& row : w.exec_params("SELECT id, name, version, deleted, seq FROM face_groups WHERE seq > $1 "
                                         "ORDER BY seq, id",
                                         after)) {
      out.push_back({GroupRecord{row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<int64_t>(),
                                 row[3].as<bool>()},
                     row[4].as<int64_t>()});
    }
    return out;
  });
}

}  // namespace facepass::store::pg
