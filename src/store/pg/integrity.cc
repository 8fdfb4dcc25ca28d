// PgStore::CheckIntegrity: the invariants the store keeps (the same rules as
// the SQLite check, store/integrity_rules.h). PostgreSQL itself enforces the
// references; one snapshot for all of it.
#include "store/integrity_rules.h"
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using integrity::Bad;
using internal::Mode;
using internal::Run;

namespace {

int64_t Count(pqxx::work& w, const char* sql) { return w.exec1(sql)[0].as<int64_t>(); }

Status CheckLogShape(pqxx::work& w) {
  for (const auto& row : w.exec("SELECT g.id, g.version, g.log_floor, COUNT(c.version), COALESCE(MIN(c.version), 0), "
                                "COALESCE(MAX(c.version), 0) FROM face_groups g "
                                "LEFT JOIN group_changes c ON c.group_id = g.id GROUP BY g.id")) {
    FP_RETURN_IF_ERROR(integrity::CheckLogShape(
        integrity::LogShape{row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>(), row[3].as<int64_t>(),
                            row[4].as<int64_t>(), row[5].as<int64_t>()}));
  }
  if (Count(w, "SELECT COUNT(*) FROM group_changes WHERE (op IN (1, 2)) <> (face_id IS NOT NULL)") != 0)
    return Bad("change log face_id does not match op");
  if (Count(w, "SELECT COUNT(*) FROM face_groups g JOIN group_changes c ON c.group_id = g.id AND c.version = g.version "
               "WHERE g.deleted AND c.op <> 3") != 0)
    return Bad("deleted group whose last change is not its delete");
  if (Count(w, "SELECT COUNT(*) FROM group_changes c JOIN face_groups g ON g.id = c.group_id "
               "WHERE c.op = 3 AND c.version <> g.version") != 0)
    return Bad("change after a group delete");
  return Status::OK();
}

Status CheckNameVersions(pqxx::work& w) {
  integrity::NameVersions check;
  for (const auto& row : w.exec("SELECT name, version FROM face_groups ORDER BY name, id"))
    FP_RETURN_IF_ERROR(check.Next(row[0].as<std::string>(), row[1].as<int64_t>()));
  return Status::OK();
}

Status CheckReplay(pqxx::work& w) {
  integrity::Replay replay;
  for (const auto& row : w.exec("SELECT c.group_id, c.op, COALESCE(c.face_id, 0), c.version = g.log_floor + 1 "
                                "FROM group_changes c JOIN face_groups g ON g.id = c.group_id "
                                "ORDER BY c.group_id, c.version"))
    FP_RETURN_IF_ERROR(replay.Change(row[0].as<int64_t>(), row[1].as<int>(), row[2].as<int64_t>(), row[3].as<bool>()));
  for (const auto& row : w.exec("SELECT group_id, face_id FROM bindings"))
    replay.Binding(row[0].as<int64_t>(), row[1].as<int64_t>());
  return replay.Finish();
}

}  // namespace

Status PgStore::CheckIntegrity(domain::IntegrityCheck depth) {
  const bool full = depth == domain::IntegrityCheck::kFull;
  return Run(*pool_, Mode::kBulk, [&](pqxx::work& w) -> Status {
    if (Count(w, "SELECT COUNT(*) FROM bindings b JOIN faces f ON f.id = b.face_id WHERE f.deleted") != 0)
      return Bad("binding to a deleted face");
    if (Count(w, "SELECT COUNT(*) FROM bindings b JOIN face_groups g ON g.id = b.group_id WHERE g.deleted") != 0)
      return Bad("binding to a deleted group");
    if (full) {
      if (Count(w, "SELECT COUNT(*) FROM faces WHERE length(feature) = 0 OR length(feature) % 4 <> 0") != 0)
        return Bad("face with a malformed feature");
      if (Count(w, "SELECT COUNT(*) FROM faces WHERE deleted <> (deleted_ms IS NOT NULL)") != 0)
        return Bad("face with a malformed deleted flag");
      if (Count(w, "SELECT COUNT(*) FROM images WHERE length(bytes) <> size") != 0)
        return Bad("image whose bytes differ from its recorded size");
      if (Count(w, "SELECT COUNT(*) FROM installation_secret WHERE length(secret) <> 48") != 0)
        return Bad("installation secret of the wrong size");
    }
    FP_RETURN_IF_ERROR(CheckLogShape(w));
    FP_RETURN_IF_ERROR(CheckNameVersions(w));
    if (full) FP_RETURN_IF_ERROR(CheckReplay(w));
    return Status::OK();
  });
}

}  // namespace facepass::store::pg
