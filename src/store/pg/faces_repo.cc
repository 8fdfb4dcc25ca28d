// Faces and their features.
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using internal::Mode;
using internal::Run;

namespace {

// Marks a live face deleted and unbinds it from every group (each a logged
// version bump, groups in id order). Returns those groups; nullopt if not
// live. In the caller's transaction, after LockCatalog; the UPDATE locks the face.
std::optional<std::vector<int64_t>> MarkFaceDeleted(pqxx::work& w, int64_t id, int64_t now_ms, int64_t keep) {
  if (w.exec_params("UPDATE faces SET deleted = true, deleted_ms = $1 WHERE id = $2 AND NOT deleted", now_ms, id)
          .affected_rows() == 0)
    return std::nullopt;
  std::vector<int64_t> groups;
  for (const auto& row : w.exec_params("SELECT group_id FROM bindings WHERE face_id = $1 ORDER BY group_id", id))
    groups.push_back(row[0].as<int64_t>());
  w.exec_params("DELETE FROM bindings WHERE face_id = $1", id);
  for (int64_t g : groups) internal::BumpVersion(w, g, kOpUnbind, id, now_ms, keep);
  return groups;
}

Status FaceNotFound(int64_t id) { return Status::NotFound("face " + std::to_string(id)); }

}  // namespace

Result<int64_t> PgStore::InsertFace(int64_t image_id, const domain::Rect& rect, int64_t created_ms,
                                    std::span<const float> feature, const domain::AuditOf<int64_t>& audit) {
  if (feature.empty()) return Status::InvalidArgument("empty feature");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    if (w.exec_params("SELECT 1 FROM images WHERE id = $1", image_id).empty())
      return Status::NotFound("image " + std::to_string(image_id));
    const int64_t id =
        w.exec_params1("INSERT INTO faces(image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, feature) "
                       "VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                       image_id, rect.left, rect.top, rect.right, rect.bottom, created_ms,
                       internal::FeatureParam(feature))[0]
            .as<int64_t>();
    if (audit) internal::InsertAudit(w, audit(id));
    return id;
  });
}

Result<domain::FaceRecord> PgStore::GetFace(int64_t id) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<domain::FaceRecord> {
    const pqxx::result r = w.exec_params(
        "SELECT id, image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, deleted, feature "
        "FROM faces WHERE id = $1",
        id);
    if (r.empty()) return FaceNotFound(id);
    domain::FaceRecord f;
    f.id = r[0][0].as<int64_t>();
    f.image_id = r[0][1].as<int64_t>();
    f.rect = domain::Rect{r[0][2].as<int>(), r[0][3].as<int>(), r[0][4].as<int>(), r[0][5].as<int>()};
    f.created_ms = r[0][6].as<int64_t>();
    f.deleted = r[0][7].as<bool>();
    auto feature = internal::FeatureOf(r[0][8]);
    if (!feature.ok()) return Status::Corruption("face " + std::to_string(id) + " feature size");
    f.feature = std::move(feature).value();
    return f;
  });
}

Result<std::vector<int64_t>> PgStore::DeleteFace(int64_t id, int64_t now_ms,
                                                 const domain::AuditOf<std::vector<int64_t>>& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<std::vector<int64_t>> {
    internal::LockCatalog(w);
    auto groups = MarkFaceDeleted(w, id, now_ms, options_.change_log_keep);
    if (!groups) return FaceNotFound(id);
    if (audit) internal::InsertAudit(w, audit(*groups));
    return *std::move(groups);
  });
}

Result<int64_t> PgStore::CountLiveFaces() {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    return w.exec1("SELECT COUNT(*) FROM faces WHERE NOT deleted")[0].as<int64_t>();
  });
}

Result<std::vector<domain::LiveFace>> PgStore::ListLiveFaces() {
  return Run(*pool_, Mode::kBulk, [&](pqxx::work& w) -> Result<std::vector<domain::LiveFace>> {
    std::vector<domain::LiveFace> out;
    for (const auto& row : w.exec("SELECT f.id, f.rect_left, f.rect_top, f.rect_right, f.rect_bottom, "
                                  "i.id, i.kind, i.format, i.size, i.width, i.height, i.created_ms "
                                  "FROM faces f JOIN images i ON i.id = f.image_id WHERE NOT f.deleted ORDER BY f.id")) {
      domain::LiveFace f;
      f.face_id = row[0].as<int64_t>();
      f.rect = domain::Rect{row[1].as<int>(), row[2].as<int>(), row[3].as<int>(), row[4].as<int>()};
      f.image.id = row[5].as<int64_t>();
      f.image.kind = static_cast<domain::ImageKind>(row[6].as<int>());
      f.image.format = row[7].as<std::string>();
      f.image.size = row[8].as<int64_t>();
      f.image.width = row[9].as<int>();
      f.image.height = row[10].as<int>();
      f.image.created_ms = row[11].as<int64_t>();
      out.push_back(std::move(f));
    }
    return out;
  });
}

Status PgStore::ReplaceFeatures(const std::vector<std::pair<int64_t, std::vector<float>>>& features,
                                const std::vector<int64_t>& drop, int64_t now_ms) {
  FP_RETURN_IF_ERROR(domain::CheckOneDimension(features));
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    w.exec("SET LOCAL statement_timeout = 0");  // one transaction for every face of the installation
    internal::LockCatalog(w);
    for (const auto& [id, feature] : features) {
      if (w.exec_params("UPDATE faces SET feature = $1 WHERE id = $2 AND NOT deleted", internal::FeatureParam(feature), id)
              .affected_rows() == 0)
        return FaceNotFound(id);
    }
    for (int64_t id : drop) {
      if (!MarkFaceDeleted(w, id, now_ms, options_.change_log_keep)) return FaceNotFound(id);
    }
    return Status::OK();
  });
}

}  // namespace facepass::store::pg
