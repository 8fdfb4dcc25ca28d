// Faces and their features.
#include "store/pg/pg_internal.h"
#include "store/pg/pg_store.h"

namespace facepass::store::pg {

using internal::Mode;
using internal::Run;
using internal::RunRead;

namespace {

// Marks a live face deleted and unbinds it from every group (each a logged
// version bump, groups in id order). Returns those groups; nullopt if not
// live. In the caller's transaction, after LockCatalog; the UPDATE locks the face.
std::optional<std::vector<int64_t>> MarkFaceDeleted(pqxx::work& w, int64_t id, int64_t now_ms, int64_t keep) {
  if (w.exec_params("UPDATE faces SET deleted = true, deleted_ms = $1, label = NULL WHERE id = $2 AND NOT deleted",
                    now_ms, id)
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

// The label as faces_label orders it (schema.cc): ASCII letters folded, the
// "C" collation (bytes).
constexpr char kFoldedLabel[] =
    "(translate(label, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\")";

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// A LIKE pattern for "starts with `prefix`": its %, _ and \ matched as text.
std::string PrefixPattern(const std::string& prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + '%';
}

}  // namespace

Result<int64_t> PgStore::InsertFace(int64_t image_id, const domain::Rect& rect, int64_t created_ms,
                                    std::span<const float> feature, const std::optional<std::string>& label,
                                    const domain::AuditOf<int64_t>& audit) {
  if (feature.empty()) return Status::InvalidArgument("empty feature");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<int64_t> {
    if (w.exec_params("SELECT 1 FROM images WHERE id = $1", image_id).empty())
      return Status::NotFound("image " + std::to_string(image_id));
    const int64_t id =
        w.exec_params1("INSERT INTO faces(image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, feature, "
                       "label) VALUES($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                       image_id, rect.left, rect.top, rect.right, rect.bottom, created_ms,
                       internal::FeatureParam(feature), internal::Nullable(label).c_str())[0]
            .as<int64_t>();
    if (audit) internal::InsertAudit(w, audit(id));
    return id;
  });
}

Result<domain::FaceRecord> PgStore::GetFace(int64_t id) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<domain::FaceRecord> {
    const pqxx::result r = w.exec_params(
        "SELECT id, image_id, rect_left, rect_top, rect_right, rect_bottom, created_ms, deleted, feature, label "
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
    if (!r[0][9].is_null()) f.label = r[0][9].as<std::string>();
    return f;
  });
}

Status PgStore::SetFaceLabel(int64_t id, const std::optional<std::string>& label, const domain::AuditRow& audit) {
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Status {
    if (w.exec_params("UPDATE faces SET label = $1 WHERE id = $2 AND NOT deleted", internal::Nullable(label).c_str(),
                      id).affected_rows() == 0)
      return FaceNotFound(id);
    if (audit) internal::InsertAudit(w, *audit);
    return Status::OK();
  });
}

Result<domain::LabelPage> PgStore::SearchLabels(const std::string& prefix, int limit,
                                                const std::optional<domain::LabelCursor>& after) {
  if (limit < 1) return Status::InvalidArgument("label search limit must be >= 1");
  return Run(*pool_, Mode::kPlain, [&](pqxx::work& w) -> Result<domain::LabelPage> {
    // An unnamed statement is planned with its values: the constant LIKE
    // prefix becomes a range over faces_label. One more row than asked tells
    // whether another page follows.
    const std::string folded = std::string(kFoldedLabel);
    const pqxx::result rows = w.exec_params(
        "SELECT id, label, image_id, created_ms FROM faces "
        "WHERE NOT deleted AND label IS NOT NULL AND " + folded + " LIKE $1 "
        "AND (" + folded + ", id) > ($2 COLLATE \"C\", $3) ORDER BY " + folded + ", id LIMIT $4",
        PrefixPattern(AsciiLower(prefix)), after ? AsciiLower(after->label) : std::string(),
        after ? after->face_id : int64_t{0}, limit + 1);
    domain::LabelPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next_cursor = domain::LabelCursor{page.rows.back().label, page.rows.back().face_id};
        break;
      }
      page.rows.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<int64_t>(), row[3].as<int64_t>()});
    }
    return page;
  });
}

Result<std::map<int64_t, std::string>> PgStore::LabelsOf(const std::vector<int64_t>& face_ids) {
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<std::map<int64_t, std::string>> {
    std::string ids = "{";  // an array literal: one statement for every id
    for (int64_t id : face_ids) ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
    ids += "}";
    std::map<int64_t, std::string> out;
    for (const auto& row : w.exec_params("SELECT id, label FROM faces WHERE id = ANY($1::bigint[]) AND NOT deleted "
                                         "AND label IS NOT NULL",
                                         ids))
      out.emplace(row[0].as<int64_t>(), row[1].as<std::string>());
    return out;
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
  return RunRead(*pool_, [&](pqxx::transaction_base& w) -> Result<int64_t> {
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
